"""A registered site as tests hold it: id, name, URL and its bearer token."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Site:
    id: int
    name: str
    url: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}
