import dagster as dg


def test_definitions_load(monkeypatch, database_url):
    monkeypatch.setenv("MODWATCH_DATABASE_URL", database_url)
    from orchestration.definitions import defs

    assert isinstance(defs, dg.Definitions)
    repository = defs.get_repository_def()
    assert "database" in defs.resources
    repository.load_all_definitions()
