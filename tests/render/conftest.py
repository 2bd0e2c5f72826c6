def pytest_configure(config):
    config.addinivalue_line("markers", "blender: needs bpy (Blender as a Python module)")
