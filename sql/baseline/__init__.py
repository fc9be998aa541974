"""The design modwatch replaced, kept as the benchmark's baseline: an ORM mapping of modules, versions and
site modules, written to one object at a time.

These are the models the original product documents specified, column for
column, with their unique constraints and indexes (each one is paid for on
every insert, as it would be there). They live in a schema of their own,
`seed_baseline`, created in the benchmark's database and dropped with it, so
nothing here ever touches the platform's tables.

The CRUD helpers behave as the documents' `crud_*.create` / `update` do: add
one object, commit, refresh it from the database. Every lookup is one
`SELECT` for one row. That is the point: this domain measures what a
row-by-row ORM sync costs, so it must not be made set-based.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    and_,
    create_engine,
    event,
    func,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import DeclarativeBase, Session, relationship, sessionmaker
from sqlalchemy.schema import CreateSchema, DropSchema

from foundation.database import sqlalchemy_url

SCHEMA = "seed_baseline"


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


class Site(Base):
    __tablename__ = "sites"

    id = Column(Integer, primary_key=True, index=True)
    name = Column(String(255), nullable=False)
    url = Column(String(500), nullable=False, unique=True)
    last_sync = Column(DateTime, nullable=True)
    drupal_version = Column(String(50), nullable=True)

    modules = relationship("SiteModule", back_populates="site", cascade="all, delete-orphan")


class Module(Base):
    __tablename__ = "modules"

    id = Column(Integer, primary_key=True, index=True)
    machine_name = Column(String(255), unique=True, nullable=False, index=True)
    display_name = Column(String(255), nullable=False)
    drupal_org_link = Column(String(500), nullable=True)
    module_type = Column(String(50), nullable=False, default="contrib")
    description = Column(Text, nullable=True)

    versions = relationship("ModuleVersion", back_populates="module", cascade="all, delete-orphan")
    site_modules = relationship("SiteModule", back_populates="module")


class ModuleVersion(Base):
    __tablename__ = "module_versions"

    id = Column(Integer, primary_key=True, index=True)
    module_id = Column(Integer, ForeignKey("modules.id"), nullable=False, index=True)
    version_string = Column(String(50), nullable=False)
    semantic_version = Column(String(50), nullable=True)
    release_date = Column(DateTime, nullable=True)
    is_security_update = Column(Boolean, default=False, nullable=False)
    release_notes_link = Column(String(500), nullable=True)
    drupal_core_compatibility = Column(JSON, nullable=True)

    __table_args__ = (
        UniqueConstraint("module_id", "version_string", name="uq_module_version"),
        Index("idx_module_version_security", "module_id", "is_security_update"),
        Index("idx_module_version_date", "module_id", "release_date"),
    )

    module = relationship("Module", back_populates="versions")


class SiteModule(Base):
    __tablename__ = "site_modules"

    id = Column(Integer, primary_key=True, index=True)
    site_id = Column(Integer, ForeignKey("sites.id"), nullable=False, index=True)
    module_id = Column(Integer, ForeignKey("modules.id"), nullable=False, index=True)
    current_version_id = Column(Integer, ForeignKey("module_versions.id"), nullable=False)
    enabled = Column(Boolean, default=True, nullable=False)
    update_available = Column(Boolean, default=False, nullable=False)
    security_update_available = Column(Boolean, default=False, nullable=False)
    latest_version_id = Column(Integer, ForeignKey("module_versions.id"), nullable=True)
    first_seen = Column(DateTime, nullable=False, server_default=text("now()"))
    last_seen = Column(DateTime, nullable=False, server_default=text("now()"))
    last_updated = Column(DateTime, nullable=True)

    __table_args__ = (
        UniqueConstraint("site_id", "module_id", name="uq_site_module"),
        Index("idx_site_module_updates", "site_id", "update_available", "security_update_available"),
    )

    site = relationship("Site", back_populates="modules")
    module = relationship("Module", back_populates="site_modules")
    current_version = relationship("ModuleVersion", foreign_keys=[current_version_id])
    latest_version = relationship("ModuleVersion", foreign_keys=[latest_version_id])


def now() -> datetime:
    """Naive UTC, as the documents' `datetime.utcnow()` columns hold it."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class RoundTrips:
    """Statements and commits sent to the server: where a row-by-row sync's time goes."""

    statements: int = 0
    commits: int = 0


def sessions(database_url: str) -> tuple[sessionmaker[Session], RoundTrips]:
    """Sessions on the baseline's tables, and the tally of what they send. Objects stay loaded after a
    commit (as async sessions are configured), so a cached module is not read again: the baseline is
    not made slower than it was."""
    engine = create_engine(sqlalchemy_url(database_url), pool_size=1, max_overflow=0)
    tally = RoundTrips()

    def statement(*_):
        tally.statements += 1

    def commit(*_):
        tally.commits += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    return sessionmaker(engine, expire_on_commit=False), tally


def create_tables(factory: sessionmaker[Session]) -> None:
    """The baseline's schema and tables, empty (any earlier ones are dropped first)."""
    drop_tables(factory)
    with factory.kw["bind"].begin() as conn:
        conn.execute(CreateSchema(SCHEMA))
        Base.metadata.create_all(conn)


def drop_tables(factory: sessionmaker[Session]) -> None:
    with factory.kw["bind"].begin() as conn:
        conn.execute(DropSchema(SCHEMA, cascade=True, if_exists=True))


def create(session: Session, obj: Base) -> Base:
    """Add one object, commit, read it back: a `crud.create`."""
    session.add(obj)
    session.commit()
    session.refresh(obj)
    return obj


def update(session: Session, obj: Base, values: dict) -> Base:
    """Set the fields, commit, read it back: a `crud.update`."""
    for name, value in values.items():
        setattr(obj, name, value)
    session.add(obj)
    session.commit()
    session.refresh(obj)
    return obj


def site(session: Session, site_id: int) -> Site | None:
    return session.get(Site, site_id)


def modules_named(session: Session, machine_names: list[str]) -> list[Module]:
    """The modules of a payload, in one query: the documents' cache preload."""
    return list(session.scalars(select(Module).where(Module.machine_name.in_(machine_names))))


def versions_of(session: Session, pairs: list[tuple[int, str]]) -> list[ModuleVersion]:
    """The versions of (module id, version string) pairs, in one query: the rest of the preload."""
    if not pairs:
        return []
    wanted = tuple_(ModuleVersion.module_id, ModuleVersion.version_string).in_(pairs)
    return list(session.scalars(select(ModuleVersion).where(wanted)))


def module_by_machine_name(session: Session, machine_name: str) -> Module | None:
    return session.scalars(select(Module).where(Module.machine_name == machine_name)).one_or_none()


def version_of(session: Session, module_id: int, version_string: str) -> ModuleVersion | None:
    query = select(ModuleVersion).where(
        and_(ModuleVersion.module_id == module_id, ModuleVersion.version_string == version_string))
    return session.execute(query).scalar_one_or_none()


def site_module_of(session: Session, site_id: int, module_id: int) -> SiteModule | None:
    query = select(SiteModule).where(and_(SiteModule.site_id == site_id, SiteModule.module_id == module_id))
    return session.scalars(query).one_or_none()


def has_newer_security_release(session: Session, module_id: int, version_id: int) -> bool:
    """A security release of the module dated after the installed one."""
    installed = select(ModuleVersion.release_date).where(ModuleVersion.id == version_id).scalar_subquery()
    query = select(ModuleVersion.id).where(
        ModuleVersion.module_id == module_id, ModuleVersion.is_security_update.is_(True),
        ModuleVersion.release_date > installed).limit(1)
    return session.scalar(query) is not None


def enabled_site_modules(session: Session, site_id: int) -> list[SiteModule]:
    query = select(SiteModule).join(Module).where(and_(SiteModule.site_id == site_id, SiteModule.enabled.is_(True)))
    return list(session.scalars(query))


def counts(session: Session) -> dict[str, int]:
    """Rows in each baseline table (to check a sync did what it says)."""
    return {table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Site, Module, ModuleVersion, SiteModule)}
