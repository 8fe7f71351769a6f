"""Reference provincial server (FastAPI + SQLAlchemy)."""
