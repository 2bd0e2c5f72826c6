def pytest_configure(config):
    config.addinivalue_line("markers", "blender: needs bpy (Blender as a Python module)")
    config.addinivalue_line("markers", "slow: takes more than a minute on a 2-core machine")
