# The chameleon container image: the static binary of `make static` and a
# CA bundle, nothing else (docs/deploy.md).  `make image` builds it from
# the context it prepares in build/image/.
FROM scratch
COPY chameleon /chameleon
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
# OpenSSL's default trust store for MySQL/MariaDB TLS without ssl_ca;
# libpq 15 needs pg_conn.sslrootcert (this file will do) for verify-ca/full
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
# no /etc/passwd: a numeric user that owns nothing in the image
USER 65532:65532
ENTRYPOINT ["/chameleon"]
