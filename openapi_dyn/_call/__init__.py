"""_call"""
