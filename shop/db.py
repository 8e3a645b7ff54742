"""Database connection: ``SHOP_DB_URL`` selects it, default a SQLite file under ``var/``.

Usage::

    python -m shop.db init      # create the schema (idempotent)
    python -m shop.db drop      # drop every table
    python -m shop.db check     # connect and print the table counts

Engines are cached per URL so that services created repeatedly share one pool.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from shop.models import Base

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'shop.db'}"


def database_url(url: str | None = None) -> str:
    return url or os.environ.get("SHOP_DB_URL") or DEFAULT_URL


@lru_cache(maxsize=16)
def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=5, max_overflow=10)


def get_engine(url: str | None = None) -> Engine:
    return _engine(database_url(url))


def session_factory(url: str | None = None) -> sessionmaker:
    return sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)


@contextlib.contextmanager
def session_scope(factory: sessionmaker) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def init_db(url: str | None = None) -> Engine:
    engine = get_engine(url)
    Base.metadata.create_all(engine)
    return engine


def drop_db(url: str | None = None) -> None:
    Base.metadata.drop_all(get_engine(url))


def is_initialised(url: str | None = None) -> bool:
    return "orders" in inspect(get_engine(url)).get_table_names()


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shop.db", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["init", "drop", "check"])
    parser.add_argument("--url", help="database URL (default: $SHOP_DB_URL or var/shop.db)")
    args = parser.parse_args(argv)
    url = database_url(args.url)
    if args.command == "init":
        init_db(url)
        print(f"schema ready in {_redact(url)}")
    elif args.command == "drop":
        drop_db(url)
        print(f"dropped all tables in {_redact(url)}")
    else:
        from sqlalchemy import func, select

        if not is_initialised(url):
            print(f"{_redact(url)} has no schema: run `python -m shop.db init`", file=sys.stderr)
            return 1
        factory = session_factory(url)
        with session_scope(factory) as s:
            for table in Base.metadata.sorted_tables:
                n = s.execute(select(func.count()).select_from(table)).scalar_one()
                print(f"{table.name:24s} {n:>10d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
