# syntax=docker/dockerfile:1
# The image `make image` builds without Docker, for those who build with it:
#   docker build --build-arg VERSION=$(git describe --tags --always) -t tabbysim .
#   docker run --rm -p 4600:4600 tabbysim
# A static, pure-Go binary on an empty base, run as a non-root user,
# listening on every interface of the container.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "${VERSION:+-X github.com/tabbysim/tabbysim/simulator.Version=$VERSION}" \
      -o /out/tabbysim ./cmd/tabbysim \
 && mkdir /out/data

FROM scratch
ARG VERSION=
LABEL org.opencontainers.image.title="tabbysim" \
      org.opencontainers.image.description="A sandbox of the Tabby API with a conformance harness for merchant integrations" \
      org.opencontainers.image.source="https://github.com/tabbysim/tabbysim" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="$VERSION"
COPY --from=build /out/tabbysim /tabbysim
# The working directory, where --data files can go (mount a volume there).
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
USER 65532:65532
EXPOSE 4600
# No shell in the image: the binary checks itself.
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 CMD ["/tabbysim", "health"]
# web_url and redirects point at 127.0.0.1:4600, where `docker run -p 4600:4600`
# puts the simulator; arguments to `docker run` come after and win.
ENTRYPOINT ["/tabbysim", "serve", "--addr", "0.0.0.0:4600", "--public-url", "http://127.0.0.1:4600"]
