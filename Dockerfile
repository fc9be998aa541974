# One image for every service of docker-compose.yml: the intake API, the
# Dagster code server, webserver and daemon, and the one-shot migration.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DAGSTER_HOME=/opt/dagster \
    MODWATCH_HOME=/var/lib/modwatch

# The services run as this user, never as root.
RUN groupadd --system --gid 10001 modwatch \
    && useradd --system --uid 10001 --gid modwatch --home-dir "$MODWATCH_HOME" --no-create-home modwatch

WORKDIR /app
COPY pyproject.toml constraints.txt README.md workspace.yaml ./
COPY foundation foundation
COPY sql sql
COPY transforms transforms
COPY intake intake
COPY orchestration orchestration
COPY modwatch modwatch
COPY clients clients
COPY deploy deploy
RUN pip install -c constraints.txt . \
    && mkdir -p "$DAGSTER_HOME/storage" "$MODWATCH_HOME" \
    && cp orchestration/dagster.yaml "$DAGSTER_HOME/dagster.yaml" \
    && chown -R modwatch:modwatch "$DAGSTER_HOME" "$MODWATCH_HOME"

USER modwatch
EXPOSE 8000 3000 4000
CMD ["uvicorn", "intake.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]
