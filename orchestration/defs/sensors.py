"""Temporary: `tests/support/platform.py` imports `landing_sensor` from here (removed at integration)."""


def __getattr__(name: str):
    if name == "landing_sensor":
        from orchestration.definitions import defs

        return defs.get_repository_def().get_sensor_def("landing_sensor")
    raise AttributeError(name)
