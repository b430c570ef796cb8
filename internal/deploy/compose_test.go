package deploy_test

import (
	"context"
	"io"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/web"
)

// root is the repository root, where docker-compose.yml lives.
var root = filepath.Join("..", "..")

// appCommands are the civicdesk commands that run as long-lived services.
var appCommands = []string{"serve", "web", "worker", "smtp"}

// scalable are the commands README tells operators to scale
// (docker compose up --scale web=3 --scale worker=2).
var scalable = []string{"web", "worker"}

func load(t *testing.T) *types.Project {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root),
		cli.WithDiscardEnvFile,
		// The variables the file demands with ${VAR:?}.
		cli.WithEnv([]string{"CIVICDESK_ADMIN_PASSWORD=compose-test-password", "CIVICDESK_SECRET_KEY=compose-test-secret-key-32-characters"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

// command is the civicdesk command a service runs ("" for other images).
func command(s types.ServiceConfig) string {
	if s.Build == nil && !strings.HasPrefix(s.Image, "civicdesk") {
		return ""
	}
	if len(s.Command) == 0 {
		return "serve"
	}
	return s.Command[0]
}

// appConfig is the configuration a civicdesk service starts with.
func appConfig(t *testing.T, s types.ServiceConfig) *config.Config {
	t.Helper()
	env := map[string]string{}
	for k, v := range s.Environment {
		if v != nil {
			env[k] = *v
		}
	}
	var args []string
	if len(s.Command) > 1 {
		args = s.Command[1:]
	}
	c, _, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, args, io.Discard)
	if err != nil {
		t.Fatalf("service %s: the app refuses its configuration: %v", s.Name, err)
	}
	return c
}

func TestComposeFile(t *testing.T) {
	p := load(t)

	settings := map[string]bool{}
	for _, o := range config.Options {
		settings[o.Env] = true
	}
	byCommand := map[string][]types.ServiceConfig{}
	needed := map[string]string{} // service name -> why it is needed
	for _, s := range p.Services {
		for k := range s.Environment {
			if strings.HasPrefix(k, "CIVICDESK_") && !settings[k] {
				t.Errorf("service %s sets %s, which is no civicdesk setting", s.Name, k)
			}
		}
		cmd := command(s)
		if cmd == "" {
			continue
		}
		if !slices.Contains(appCommands, cmd) {
			t.Errorf("service %s runs civicdesk %q, not a long-lived command", s.Name, cmd)
			continue
		}
		byCommand[cmd] = append(byCommand[cmd], s)
		// The backends the app is configured to reach must be services here.
		c := appConfig(t, s)
		if u, err := url.Parse(c.MongoURI); err == nil && u.Hostname() != "" {
			needed[u.Hostname()] = "CIVICDESK_MONGO_URI of " + s.Name
		} else {
			t.Errorf("service %s: no MongoDB URI (the embedded store is not for production)", s.Name)
		}
		if host, _, ok := strings.Cut(strings.TrimPrefix(c.RedisAddr, "redis://"), ":"); ok && host != "" {
			needed[host] = "CIVICDESK_REDIS_ADDR of " + s.Name
		} else {
			t.Errorf("service %s: no Redis address", s.Name)
		}
		if u, err := url.Parse(c.MeiliURL); err == nil && u.Hostname() != "" {
			needed[u.Hostname()] = "CIVICDESK_MEILI_URL of " + s.Name
		} else {
			t.Errorf("service %s: no Meilisearch URL", s.Name)
		}
		if c.RelayHost != "" {
			needed[c.RelayHost] = "CIVICDESK_SMTP_RELAY_HOST of " + s.Name
		}
	}
	for _, cmd := range []string{"web", "worker", "smtp"} {
		if len(byCommand[cmd]) == 0 {
			t.Errorf("no service runs civicdesk %s", cmd)
		}
		for _, s := range byCommand[cmd] {
			needed[s.Name] = "civicdesk " + cmd
		}
	}
	needed["proxy"] = "the reverse proxy in front of web"

	for name, why := range needed {
		s, ok := p.Services[name]
		if !ok {
			t.Errorf("service %s (%s) is missing", name, why)
			continue
		}
		if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0 {
			t.Errorf("service %s (%s) has no health check", name, why)
		}
	}

	// Scaled services publish no fixed host port: a second replica could
	// not bind it.
	for _, s := range p.Services {
		if !slices.Contains(scalable, command(s)) && s.GetScale() <= 1 {
			continue
		}
		for _, port := range s.Ports {
			if port.Published != "" {
				t.Errorf("scaled service %s publishes host port %s", s.Name, port.Published)
			}
		}
	}

	// One SMTP listener for the stack, not scaled, reachable from outside.
	var smtp []string
	for _, cmd := range []string{"serve", "web", "smtp"} {
		for _, s := range byCommand[cmd] {
			if c := appConfig(t, s); c.SMTPAddr != "" {
				smtp = append(smtp, s.Name)
				if slices.Contains(scalable, cmd) || s.GetScale() > 1 {
					t.Errorf("SMTP listener %s is in a scaled service", s.Name)
				}
				if !publishes(s, c.SMTPAddr) {
					t.Errorf("SMTP listener %s does not publish %s", s.Name, c.SMTPAddr)
				}
			}
		}
	}
	if len(smtp) != 1 {
		t.Errorf("inbound SMTP listeners %v, want exactly one", smtp)
	}

	if proxy, ok := p.Services["proxy"]; ok {
		checkProxy(t, p, proxy, byCommand["web"])
	}
}

// publishes reports whether s publishes the port of a listen address.
func publishes(s types.ServiceConfig, addr string) bool {
	_, port, _ := strings.Cut(addr, ":")
	for _, p := range s.Ports {
		if p.Published != "" && p.Target != 0 && strings.TrimSpace(port) == strconv.FormatUint(uint64(p.Target), 10) {
			return true
		}
	}
	return false
}

// checkProxy: the web services trust X-Forwarded-For from the proxy's
// address and no other; that address is fixed and outside the range Docker
// hands to other containers; the proxy's own configuration replaces the
// header and streams the console's events unbuffered.
func checkProxy(t *testing.T, p *types.Project, proxy types.ServiceConfig, webs []types.ServiceConfig) {
	var proxyIP netip.Addr
	var network string
	for name, n := range proxy.Networks {
		if n != nil && n.Ipv4Address != "" {
			a, err := netip.ParseAddr(n.Ipv4Address)
			if err != nil {
				t.Fatalf("proxy address %q: %v", n.Ipv4Address, err)
			}
			proxyIP, network = a, name
		}
	}
	if !proxyIP.IsValid() {
		t.Fatal("the proxy has no fixed address for the app to trust")
	}
	nw := p.Networks[network]
	inSubnet, inRange := false, false
	for _, pool := range nw.Ipam.Config {
		if sn, err := netip.ParsePrefix(pool.Subnet); err == nil && sn.Contains(proxyIP) {
			inSubnet = true
		}
		if r, err := netip.ParsePrefix(pool.IPRange); err == nil && r.Contains(proxyIP) {
			inRange = true
		} else if err != nil {
			t.Errorf("network %s hands out addresses from its whole subnet, the proxy's included", network)
		}
	}
	if !inSubnet || inRange {
		t.Errorf("proxy address %s: in subnet %v, in the dynamic range %v; want in the subnet, outside the range", proxyIP, inSubnet, inRange)
	}
	for _, s := range webs {
		trusted, err := config.ParseProxies(appConfig(t, s).TrustedProxies)
		if err != nil {
			t.Fatal(err)
		}
		if len(trusted) != 1 || trusted[0] != proxyIP.String() {
			t.Errorf("service %s trusts proxies %v, want only the proxy %s", s.Name, trusted, proxyIP)
		}
		if _, ok := s.Networks[network]; !ok {
			t.Errorf("service %s is not on the proxy's network %s", s.Name, network)
		}
	}
	exposed := false
	for _, port := range proxy.Ports {
		exposed = exposed || port.Published != ""
	}
	if !exposed {
		t.Error("the proxy publishes no port")
	}

	var conf string
	for _, v := range proxy.Volumes {
		if strings.HasPrefix(v.Target, "/etc/nginx/") {
			b, err := os.ReadFile(v.Source)
			if err != nil {
				t.Fatalf("proxy configuration: %v", err)
			}
			conf = string(b)
		}
	}
	if conf == "" {
		t.Fatal("the proxy mounts no nginx configuration")
	}
	conf = regexp.MustCompile(`(?m)#.*$`).ReplaceAllString(conf, "")
	if !regexp.MustCompile(`proxy_set_header\s+X-Forwarded-For\s+\$remote_addr\s*;`).MatchString(conf) {
		t.Error("nginx.conf does not replace X-Forwarded-For with the peer address")
	}
	if strings.Contains(conf, "$proxy_add_x_forwarded_for") {
		t.Error("nginx.conf appends to the client's X-Forwarded-For; the app takes its first entry")
	}
	block := regexp.MustCompile(`location\s+=?\s*` + regexp.QuoteMeta(web.ConsoleEventsPath) + `\s*\{([^}]*)\}`).FindStringSubmatch(conf)
	if block == nil {
		t.Fatalf("nginx.conf has no location for the console stream %s", web.ConsoleEventsPath)
	}
	if !regexp.MustCompile(`proxy_buffering\s+off\s*;`).MatchString(block[1]) {
		t.Errorf("nginx.conf buffers the console stream: %s", block[1])
	}
	if !strings.Contains(block[1], "proxy_pass") {
		t.Errorf("the console stream location does not pass to the app")
	}
}
