# kafka-audit in a container: the rules and schemas ship inside the wheel; runs as a non-root user.
#   docker build -t kafka-audit .
#   docker run --rm -v "$PWD:/work" kafka-audit audit config/
#   docker run --rm kafka-audit audit --bootstrap-server broker1:9092
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY auditor ./auditor
COPY rules ./rules
RUN python -m pip install --no-cache-dir --quiet build && python -m build --wheel --outdir /dist

FROM python:3.12-slim
COPY --from=build /dist /dist
RUN python -m pip install --no-cache-dir --quiet /dist/*.whl && rm -rf /dist \
    && useradd --uid 10001 --create-home --shell /usr/sbin/nologin audit
USER 10001
WORKDIR /work
ENTRYPOINT ["kafka-audit"]
CMD ["--help"]
