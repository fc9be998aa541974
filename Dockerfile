# One image for every service of docker-compose.yml.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DAGSTER_HOME=/opt/dagster MODWATCH_HOME=/var/lib/modwatch
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY modwatch modwatch
COPY intake intake
COPY transforms transforms
COPY orchestration orchestration
COPY sql sql
COPY workspace.yaml ./
RUN pip install -c constraints.txt . \
    && mkdir -p "$DAGSTER_HOME" "$MODWATCH_HOME" \
    && cp orchestration/dagster.yaml "$DAGSTER_HOME/dagster.yaml"
EXPOSE 8000 3000
CMD ["uvicorn", "intake.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]
