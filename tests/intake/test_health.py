from tests.support.live import make_settings


def test_health_answers_200_when_the_database_is_up(api):
    answer = api.get("/health")
    assert answer.status_code == 200
    assert answer.json()["database"] == "up"


def test_health_answers_503_when_the_database_is_down(live_app, tmp_path, free_port_url):
    live = live_app(make_settings(tmp_path, free_port_url))
    import httpx

    answer = httpx.get(live.base_url + "/health", timeout=30)
    assert answer.status_code == 503
