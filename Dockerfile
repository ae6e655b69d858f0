# omni-emulator on Debian 12, built by the same scripts/setup.sh that developers and CI use.
# The database is external (the db service of docker-compose.yml), so the embedded cluster is
# not used here; the JS test clients are not installed (OMNI_SETUP_NO_JS=1): the image only serves.
FROM debian:12

WORKDIR /opt/omni-emulator
COPY . .
# A build/ or node_modules/ copied from the host would carry the host's paths: start clean.
RUN rm -rf build tests/js/node_modules \
 && OMNI_SETUP_NO_JS=1 scripts/setup.sh \
 && rm -rf /var/lib/apt/lists/*

EXPOSE 8080
CMD ["build/omni-emulator", "serve", "--port", "8080", \
     "--database-url", "postgresql://omni:omni@db:5432/omni"]
