# The API and map, for deployment beside a PostGIS server (docker-compose.yml).
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gis gis
COPY layers layers
COPY etl etl
COPY api api
COPY webmap webmap
COPY scripts scripts
COPY package.json package-lock.json ./
# Editable install: the map serves webmap/static/vendor from the source tree.
RUN pip install --no-cache-dir -e . && scripts/vendor-assets.sh && rm -rf node_modules
COPY data data
ENV WATERSHED_HOST=0.0.0.0 WATERSHED_PORT=8000 WATERSHED_DATA_DIR=/app/data
# The synthetic demonstration dataset is loaded only when asked for (a trial install):
# a bureau's empty database must not fill itself with data shown like its own.
ENV WATERSHED_LOAD_DEMO=false
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health/ready')"
CMD ["sh", "-c", "watershed db upgrade && if [ \"$WATERSHED_LOAD_DEMO\" = true ]; then watershed demo load --if-empty; fi && watershed serve"]
