// Package deploy holds no code: its test checks the production
// deployment files at the repository root (docker-compose.yml and the
// reverse proxy's deploy/nginx.conf) with the Compose specification's own
// Go loader, since no Docker engine runs where the tests do.
package deploy
