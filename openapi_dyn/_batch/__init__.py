"""_batch"""
