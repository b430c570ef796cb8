# Build: docker build -t civicdesk .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/civicdesk ./cmd/civicdesk

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata curl \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /var/lib/civicdesk civicdesk
COPY --from=build /out/civicdesk /usr/local/bin/civicdesk
USER civicdesk
WORKDIR /var/lib/civicdesk
ENV CIVICDESK_DATA_DIR=/var/lib/civicdesk
EXPOSE 8080 2525
ENTRYPOINT ["civicdesk"]
CMD ["serve"]
