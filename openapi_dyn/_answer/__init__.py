"""_answer"""
