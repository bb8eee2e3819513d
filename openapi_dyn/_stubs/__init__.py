"""_stubs"""
