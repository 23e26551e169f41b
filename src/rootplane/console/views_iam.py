"""placeholder"""
VIEWS: list = []
