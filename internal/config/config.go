// Package config reads civicdesk's configuration from the environment and
// flags. Every option, its variable and its default stand in one table, so
// the README, `civicdesk config` and the code cannot drift apart.
package config

import (
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the effective configuration of one process.
type Config struct {
	HTTPAddr      string
	DataDir       string
	MongoURI      string // empty: embedded FerretDB under DataDir
	MongoDatabase string
	RedisAddr     string // empty: embedded miniredis; "host:port" or a redis:// URI
	MeiliURL      string // empty: embedded bleve index under DataDir
	MeiliKey      string
	// Search is "auto" (Meilisearch when MeiliURL is set, else bleve) or
	// "none" (search off: search pages and API calls answer 503).
	Search        string
	AdminEmail    string
	AdminPassword string
	SMTPAddr      string
	// TrustedProxies are the addresses (IPs or CIDR ranges, comma-separated)
	// of the reverse proxies whose X-Forwarded-For names the client; empty:
	// the peer address is the client.
	TrustedProxies string

	BaseURL         string
	SecretKey       string // signs form timestamps; generated under DataDir when empty
	BcryptCost      int
	ReconcileEvery  time.Duration
	ReconcileGrace  time.Duration
	WorkerConc      int
	ShutdownTimeout time.Duration
	MaxBodyBytes    int
	// AcceptTimeout bounds the store write of a submission: past it the
	// submitter gets 503 with Retry-After.
	AcceptTimeout time.Duration
	LogLevel      string
	// MetricsAddr is where /metrics listens (empty: nowhere); not on the
	// public port.
	MetricsAddr string
	// SlowQuery logs database commands slower than it (0: none).
	SlowQuery time.Duration
	LogFormat string
	// Rate limits per client IP, as "N/duration" (e.g. "20/10m"); "0/1s"
	// turns one off.
	LimitSubmit string
	LimitLogin  string
	LimitTrack  string
	// LimitSender is submissions per phone number and per e-mail address
	// (portal and API), shared through Redis like the per-IP limits.
	LimitSender string
	// --- issue 6 AU: account lockout (internal/auth/lockout.go) ---
	LoginLockAfter  int
	LoginLockWindow time.Duration
	LoginLockFor    time.Duration
	// SLA timers (internal/tickets): the sweep's period, the warning's
	// distance before the answer deadline and the escalation's after it,
	// in working days.
	SLASweepEvery   time.Duration
	SLAWarnDays     int
	SLAEscalateDays int
	// CTI webhook: the token in its URL (empty: generated and stored) and
	// the newCall rate per calling number.
	CTIToken string
	LimitCTI string
	// Email channel (internal/email): intake addresses (optionally
	// "addr=AGENCY"), inbound size and recipient limits, inbound rate
	// limits, the outbound relay, auto-reply limits and IMAP mailboxes.
	IntakeAddresses string
	// Hotline is the citizen hotline number as it is written (e.g. "1900 1234");
	// empty: the portal shows no number.
	Hotline         string
	SMTPMaxBytes    int
	SMTPMaxRcpts    int
	LimitSMTPSender string
	LimitSMTPIP     string
	LimitAutoReply  string
	RelayHost       string
	RelayPort       int
	RelayUser       string
	RelayPassword   string
	MailFrom        string
	IMAPMailboxes   string
	IMAPEvery       time.Duration
	// --- issue 6: citizen side (internal/citizen) ---
	// LimitVerify bounds ownership-proof attempts (phone digits) per
	// tracking code from one client source, LimitVerifyCode per tracking
	// code from all sources together, LimitVerifyIP per client IP, LimitLink one-time-link
	// mails per tracking code; RatingReopenDays is how many days after the
	// answer a rating of 1 or 2 reopens the ticket.
	LimitVerify      string
	LimitVerifyCode  string
	LimitVerifyIP    string
	LimitLink        string
	RatingReopenDays int
}

// Values of CIVICDESK_SEARCH.
const (
	SearchAuto = "auto"
	SearchNone = "none"
)

// Option describes one setting: its environment variable, flag, default
// and whether it is a secret to mask when printed.
type Option struct {
	Env, Flag, Default, Help string
	Secret                   bool
	// EmptyOff marks a setting whose empty value turns something off: an
	// empty value set explicitly in the environment counts (an unset one
	// keeps the default). For the others an empty value is ignored, as
	// compose files often pass variables through empty.
	EmptyOff bool
	// field points at the Config field the option sets: *string, *int or
	// *time.Duration.
	field func(c *Config) any
}

func (o Option) set(c *Config, v string) error {
	switch p := o.field(c).(type) {
	case *string:
		*p = v
	case *int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("not a whole number: %q", v)
		}
		*p = n
	case *time.Duration:
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("not a duration such as 30s: %q", v)
		}
		*p = d
	}
	return nil
}

func (o Option) get(c *Config) string {
	switch p := o.field(c).(type) {
	case *string:
		return *p
	case *int:
		return strconv.Itoa(*p)
	case *time.Duration:
		return p.String()
	}
	return ""
}

// Options is the table of every setting.
var Options = []Option{
	{Env: "CIVICDESK_HTTP_ADDR", Flag: "http", Default: ":8080", Help: "HTTP listen address", field: func(c *Config) any { return &c.HTTPAddr }},
	{Env: "CIVICDESK_DATA_DIR", Flag: "data", Default: "./data", Help: "data directory for the embedded backends", field: func(c *Config) any { return &c.DataDir }},
	{Env: "CIVICDESK_MONGO_URI", Flag: "mongo", Default: "", Help: "MongoDB URI; empty runs FerretDB embedded", Secret: true, field: func(c *Config) any { return &c.MongoURI }},
	{Env: "CIVICDESK_MONGO_DB", Flag: "mongo-db", Default: "civicdesk", Help: "database name", field: func(c *Config) any { return &c.MongoDatabase }},
	{Env: "CIVICDESK_REDIS_ADDR", Flag: "redis", Default: "", Help: "Redis host:port or redis:// URI; empty runs miniredis embedded", Secret: true, field: func(c *Config) any { return &c.RedisAddr }},
	{Env: "CIVICDESK_MEILI_URL", Flag: "meili", Default: "", Help: "Meilisearch URL; empty uses an embedded bleve index", field: func(c *Config) any { return &c.MeiliURL }},
	{Env: "CIVICDESK_MEILI_KEY", Flag: "meili-key", Default: "", Help: "Meilisearch API key", Secret: true, field: func(c *Config) any { return &c.MeiliKey }},
	{Env: "CIVICDESK_SEARCH", Flag: "search", Default: "auto", Help: "auto: Meilisearch when CIVICDESK_MEILI_URL is set, else an embedded bleve index; none: search off (search pages and API answer 503), for several processes on one store without Meilisearch", field: func(c *Config) any { return &c.Search }},
	{Env: "CIVICDESK_ADMIN_EMAIL", Flag: "admin-email", Default: "", Help: "admin account created at start", field: func(c *Config) any { return &c.AdminEmail }},
	{Env: "CIVICDESK_ADMIN_PASSWORD", Flag: "admin-password", Default: "", Help: "its password; embedded mode generates one when empty", Secret: true, field: func(c *Config) any { return &c.AdminPassword }},
	{Env: "CIVICDESK_SMTP_ADDR", Flag: "smtp", Default: ":2525", Help: "inbound SMTP listen address; empty or off: no listener in this process (scaled web behind a single smtp service)", EmptyOff: true, field: func(c *Config) any { return &c.SMTPAddr }},
	{Env: "CIVICDESK_TRUSTED_PROXIES", Flag: "trusted-proxies", Default: "", Help: "reverse proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For gives the client IP for rate limits and audit; empty: none, the peer address is the client", field: func(c *Config) any { return &c.TrustedProxies }},
	{Env: "CIVICDESK_BASE_URL", Flag: "base-url", Default: "http://localhost:8080", Help: "public URL used in links sent to citizens", field: func(c *Config) any { return &c.BaseURL }},
	{Env: "CIVICDESK_SECRET_KEY", Flag: "secret-key", Default: "", Help: "signing key; generated under the data dir when empty", Secret: true, field: func(c *Config) any { return &c.SecretKey }},
	{Env: "CIVICDESK_BCRYPT_COST", Flag: "bcrypt-cost", Default: "12", Help: "bcrypt cost for passwords", field: func(c *Config) any { return &c.BcryptCost }},
	// issue 6 AU: account lockout.
	{Env: "CIVICDESK_LOGIN_LOCK_AFTER", Flag: "login-lock-after", Default: "5", Help: "failed sign-ins to one account that lock it", field: func(c *Config) any { return &c.LoginLockAfter }},
	{Env: "CIVICDESK_LOGIN_LOCK_WINDOW", Flag: "login-lock-window", Default: "15m", Help: "window in which those failures count", field: func(c *Config) any { return &c.LoginLockWindow }},
	{Env: "CIVICDESK_LOGIN_LOCK_FOR", Flag: "login-lock-for", Default: "15m", Help: "how long a locked account stays locked", field: func(c *Config) any { return &c.LoginLockFor }},
	{Env: "CIVICDESK_RECONCILE_EVERY", Flag: "reconcile-every", Default: "10s", Help: "how often the reconciler looks for stuck submissions", field: func(c *Config) any { return &c.ReconcileEvery }},
	{Env: "CIVICDESK_RECONCILE_GRACE", Flag: "reconcile-grace", Default: "30s", Help: "how long a submission may wait before it is re-enqueued", field: func(c *Config) any { return &c.ReconcileGrace }},
	{Env: "CIVICDESK_WORKERS", Flag: "workers", Default: "30", Help: "concurrent task handlers per worker process", field: func(c *Config) any { return &c.WorkerConc }},
	{Env: "CIVICDESK_SHUTDOWN_TIMEOUT", Flag: "shutdown-timeout", Default: "15s", Help: "how long SIGTERM waits for requests and tasks to drain", field: func(c *Config) any { return &c.ShutdownTimeout }},
	{Env: "CIVICDESK_MAX_BODY_BYTES", Flag: "max-body", Default: "1048576", Help: "largest accepted request body", field: func(c *Config) any { return &c.MaxBodyBytes }},
	{Env: "CIVICDESK_ACCEPT_TIMEOUT", Flag: "accept-timeout", Default: "5s", Help: "how long a submission waits for the store before it is answered 503 with Retry-After (retry with the same Idempotency-Key)", field: func(c *Config) any { return &c.AcceptTimeout }},
	{Env: "CIVICDESK_LIMIT_SUBMIT", Flag: "limit-submit", Default: "20/10m", Help: "submissions per client IP (N/duration)", field: func(c *Config) any { return &c.LimitSubmit }},
	{Env: "CIVICDESK_LIMIT_LOGIN", Flag: "limit-login", Default: "30/10m", Help: "login attempts per client IP (N/duration)", field: func(c *Config) any { return &c.LimitLogin }},
	{Env: "CIVICDESK_LIMIT_SENDER", Flag: "limit-sender", Default: "10/1h", Help: "submissions per phone number and per email address (N/duration)", field: func(c *Config) any { return &c.LimitSender }},
	{Env: "CIVICDESK_LIMIT_TRACK", Flag: "limit-track", Default: "120/1m", Help: "tracking look-ups per client IP (N/duration)", field: func(c *Config) any { return &c.LimitTrack }},
	{Env: "CIVICDESK_CTI_TOKEN", Flag: "cti-token", Default: "", Help: "token in the PBX webhook URL /api/v1/cti/{token}; generated and stored when empty", Secret: true, field: func(c *Config) any { return &c.CTIToken }},
	{Env: "CIVICDESK_LIMIT_CTI", Flag: "limit-cti", Default: "20/1m", Help: "CTI newCall events per calling number (N/duration)", field: func(c *Config) any { return &c.LimitCTI }},
	{Env: "CIVICDESK_SLA_SWEEP_EVERY", Flag: "sla-sweep-every", Default: "1m", Help: "how often the SLA sweep recomputes overdue flags from the store", field: func(c *Config) any { return &c.SLASweepEvery }},
	{Env: "CIVICDESK_SLA_WARN_DAYS", Flag: "sla-warn-days", Default: "1", Help: "working days before the answer deadline that the warning comes", field: func(c *Config) any { return &c.SLAWarnDays }},
	{Env: "CIVICDESK_SLA_ESCALATE_DAYS", Flag: "sla-escalate-days", Default: "2", Help: "working days after a breach that the ticket escalates to the coordinators", field: func(c *Config) any { return &c.SLAEscalateDays }},
	{Env: "CIVICDESK_INTAKE_ADDRESSES", Flag: "intake-addresses", Default: "phananh@localhost", Help: "addresses the SMTP listener accepts, comma-separated; addr=AGENCY routes that address's mail to an agency", field: func(c *Config) any { return &c.IntakeAddresses }},
	{Env: "CIVICDESK_HOTLINE", Flag: "hotline", Default: "", Help: "citizen hotline number as written (e.g. 1900 1234), shown with the first intake address on the portal; empty: no number shown", field: func(c *Config) any { return &c.Hotline }},
	{Env: "CIVICDESK_SMTP_MAX_BYTES", Flag: "smtp-max-bytes", Default: "10485760", Help: "largest inbound message in bytes (SMTP 552 above it; at most 12 MiB, the raw is stored in the submission)", field: func(c *Config) any { return &c.SMTPMaxBytes }},
	{Env: "CIVICDESK_SMTP_MAX_RCPTS", Flag: "smtp-max-rcpts", Default: "10", Help: "recipients per inbound message", field: func(c *Config) any { return &c.SMTPMaxRcpts }},
	{Env: "CIVICDESK_LIMIT_SMTP_SENDER", Flag: "limit-smtp-sender", Default: "20/1h", Help: "inbound messages per envelope sender (N/duration)", field: func(c *Config) any { return &c.LimitSMTPSender }},
	{Env: "CIVICDESK_LIMIT_SMTP_IP", Flag: "limit-smtp-ip", Default: "600/1h", Help: "inbound messages per connecting IP (N/duration); big providers send for many citizens from few IPs", field: func(c *Config) any { return &c.LimitSMTPIP }},
	{Env: "CIVICDESK_LIMIT_AUTOREPLY", Flag: "limit-autoreply", Default: "5/1h", Help: "automatic acknowledgements per recipient address (N/duration)", field: func(c *Config) any { return &c.LimitAutoReply }},
	{Env: "CIVICDESK_SMTP_RELAY_HOST", Flag: "smtp-relay-host", Default: "", Help: "outbound SMTP relay; empty: no mail is sent", field: func(c *Config) any { return &c.RelayHost }},
	{Env: "CIVICDESK_SMTP_RELAY_PORT", Flag: "smtp-relay-port", Default: "25", Help: "outbound SMTP relay port (STARTTLS when offered)", field: func(c *Config) any { return &c.RelayPort }},
	{Env: "CIVICDESK_SMTP_RELAY_USER", Flag: "smtp-relay-user", Default: "", Help: "outbound relay user (AUTH PLAIN); empty: no authentication", field: func(c *Config) any { return &c.RelayUser }},
	{Env: "CIVICDESK_SMTP_RELAY_PASSWORD", Flag: "smtp-relay-password", Default: "", Help: "outbound relay password", Secret: true, field: func(c *Config) any { return &c.RelayPassword }},
	{Env: "CIVICDESK_SMTP_FROM", Flag: "smtp-from", Default: "Cổng phản ánh kiến nghị <phananh@localhost>", Help: "From of outbound mail; its domain names our Message-IDs", field: func(c *Config) any { return &c.MailFrom }},
	{Env: "CIVICDESK_IMAP_MAILBOXES", Flag: "imap-mailboxes", Default: "", Help: "IMAP mailboxes to fetch, space-separated URLs imap[s]://user:pass@host:port/Folder[?agency=CODE&starttls=1]", Secret: true, field: func(c *Config) any { return &c.IMAPMailboxes }},
	{Env: "CIVICDESK_IMAP_EVERY", Flag: "imap-every", Default: "1m", Help: "how often each IMAP mailbox is fetched", field: func(c *Config) any { return &c.IMAPEvery }},
	// issue 6: citizen side (internal/citizen)
	{Env: "CIVICDESK_LIMIT_VERIFY", Flag: "limit-verify", Default: "10/24h", Help: "ownership-proof attempts (last 4 phone digits) per tracking code from one client source (IPv4 address or IPv6 /64) (N/duration)", field: func(c *Config) any { return &c.LimitVerify }},
	{Env: "CIVICDESK_LIMIT_VERIFY_CODE", Flag: "limit-verify-code", Default: "30/24h", Help: "ownership-proof attempts per tracking code from all sources together, the ceiling against guessing from many addresses; a redeemed one-time link clears it (N/duration)", field: func(c *Config) any { return &c.LimitVerifyCode }},
	{Env: "CIVICDESK_LIMIT_VERIFY_IP", Flag: "limit-verify-ip", Default: "30/1h", Help: "ownership-proof attempts per client IP (N/duration)", field: func(c *Config) any { return &c.LimitVerifyIP }},
	{Env: "CIVICDESK_LIMIT_LINK", Flag: "limit-link", Default: "3/1h", Help: "one-time sign-in links mailed per tracking code (N/duration)", field: func(c *Config) any { return &c.LimitLink }},
	{Env: "CIVICDESK_RATING_REOPEN_DAYS", Flag: "rating-reopen-days", Default: "14", Help: "days after the answer within which a rating of 1 or 2 reopens the ticket (0: never)", field: func(c *Config) any { return &c.RatingReopenDays }},
	{Env: "CIVICDESK_METRICS_ADDR", Flag: "metrics-addr", Default: "127.0.0.1:9464", Help: "where Prometheus /metrics listens, apart from the public port (empty: not served)", EmptyOff: true, field: func(c *Config) any { return &c.MetricsAddr }},
	{Env: "CIVICDESK_SLOW_QUERY", Flag: "slow-query", Default: "1s", Help: "log database commands slower than this, with their collection and filter fields (0s: off)", field: func(c *Config) any { return &c.SlowQuery }},
	{Env: "CIVICDESK_LOG_LEVEL", Flag: "log-level", Default: "info", Help: "debug, info, warn or error", field: func(c *Config) any { return &c.LogLevel }},
	{Env: "CIVICDESK_LOG_FORMAT", Flag: "log-format", Default: "text", Help: "text or json", field: func(c *Config) any { return &c.LogFormat }},
}

// Default returns the configuration with every default applied.
func Default() *Config {
	c := &Config{}
	for _, o := range Options {
		if err := o.set(c, o.Default); err != nil {
			panic("config default for " + o.Env + ": " + err.Error())
		}
	}
	return c
}

// Load builds the configuration from defaults, then the environment
// (lookupEnv is os.LookupEnv or a stand-in), then flags in args. It returns
// the remaining positional arguments.
func Load(lookupEnv func(string) (string, bool), args []string, stderr io.Writer) (*Config, []string, error) {
	c := Default()
	for _, o := range Options {
		if v, ok := lookupEnv(o.Env); ok && (v != "" || o.EmptyOff) {
			if err := o.set(c, v); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", o.Env, err)
			}
		}
	}
	fs := flag.NewFlagSet("civicdesk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, o := range Options {
		o := o
		fs.Func(o.Flag, o.Help+" (env "+o.Env+")", func(v string) error { return o.set(c, v) })
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if c.BcryptCost < 4 || c.BcryptCost > 31 {
		return nil, nil, fmt.Errorf("CIVICDESK_BCRYPT_COST must be between 4 and 31, got %d", c.BcryptCost)
	}
	if c.LoginLockAfter < 1 || c.LoginLockWindow <= 0 || c.LoginLockFor <= 0 { // issue 6 AU
		return nil, nil, fmt.Errorf("CIVICDESK_LOGIN_LOCK_AFTER must be at least 1 and CIVICDESK_LOGIN_LOCK_WINDOW, CIVICDESK_LOGIN_LOCK_FOR positive")
	}
	if c.Search != SearchAuto && c.Search != SearchNone {
		return nil, nil, fmt.Errorf("CIVICDESK_SEARCH must be %q or %q, got %q", SearchAuto, SearchNone, c.Search)
	}
	if strings.EqualFold(c.SMTPAddr, "off") {
		c.SMTPAddr = ""
	}
	if _, err := ParseProxies(c.TrustedProxies); err != nil {
		return nil, nil, fmt.Errorf("CIVICDESK_TRUSTED_PROXIES: %w", err)
	}
	if c.WorkerConc < 1 {
		return nil, nil, fmt.Errorf("CIVICDESK_WORKERS must be at least 1")
	}
	for env, v := range map[string]string{"CIVICDESK_LIMIT_SUBMIT": c.LimitSubmit, "CIVICDESK_LIMIT_LOGIN": c.LimitLogin, "CIVICDESK_LIMIT_TRACK": c.LimitTrack, "CIVICDESK_LIMIT_CTI": c.LimitCTI, "CIVICDESK_LIMIT_SENDER": c.LimitSender,
		"CIVICDESK_LIMIT_SMTP_SENDER": c.LimitSMTPSender, "CIVICDESK_LIMIT_SMTP_IP": c.LimitSMTPIP, "CIVICDESK_LIMIT_AUTOREPLY": c.LimitAutoReply} {
		if _, _, err := ParseRate(v); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", env, err)
		}
	}
	if c.SLASweepEvery <= 0 || c.SLAWarnDays < 0 || c.SLAEscalateDays < 0 {
		return nil, nil, fmt.Errorf("CIVICDESK_SLA_SWEEP_EVERY must be positive and the SLA day counts not negative")
	}
	if c.SMTPMaxBytes < 1024 || c.SMTPMaxBytes > 12<<20 || c.SMTPMaxRcpts < 1 || c.IMAPEvery <= 0 {
		return nil, nil, fmt.Errorf("CIVICDESK_SMTP_MAX_BYTES must be 1 KiB to 12 MiB, CIVICDESK_SMTP_MAX_RCPTS at least 1, CIVICDESK_IMAP_EVERY positive")
	}
	if c.AcceptTimeout <= 0 {
		return nil, nil, fmt.Errorf("CIVICDESK_ACCEPT_TIMEOUT must be positive, such as 5s")
	}
	if c.MaxBodyBytes < 1024 {
		return nil, nil, fmt.Errorf("CIVICDESK_MAX_BODY_BYTES must be at least 1024")
	}
	// issue 6: citizen side
	for env, v := range map[string]string{"CIVICDESK_LIMIT_VERIFY": c.LimitVerify, "CIVICDESK_LIMIT_VERIFY_CODE": c.LimitVerifyCode, "CIVICDESK_LIMIT_VERIFY_IP": c.LimitVerifyIP, "CIVICDESK_LIMIT_LINK": c.LimitLink} {
		if _, _, err := ParseRate(v); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", env, err)
		}
	}
	if c.RatingReopenDays < 0 || c.RatingReopenDays > 365 {
		return nil, nil, fmt.Errorf("CIVICDESK_RATING_REOPEN_DAYS must be 0 to 365, got %d", c.RatingReopenDays)
	}
	return c, fs.Args(), nil
}

// FromEnv is Load with the process environment and no flags.
func FromEnv() (*Config, error) {
	c, _, err := Load(os.LookupEnv, nil, io.Discard)
	return c, err
}

// Print writes every setting with its effective value, secrets masked.
func Print(w io.Writer, c *Config) {
	for _, o := range Options {
		v := o.get(c)
		if o.Secret && v != "" {
			v = mask(v)
		}
		fmt.Fprintf(w, "%-28s %s\n", o.Env, v)
	}
}

// mask hides a secret. For URIs it keeps the scheme and host so an operator
// can still see where the process connects, and hides any credentials.
func mask(v string) string {
	if i := strings.Index(v, "://"); i > 0 {
		rest := v[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			rest = "****@" + rest[at+1:]
		}
		return v[:i+3] + rest
	}
	return "****"
}

// ParseRate parses a rate such as "20/10m" into a count and a window.
func ParseRate(s string) (int, time.Duration, error) {
	n, d, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, fmt.Errorf("rate %q is not N/duration such as 20/10m", s)
	}
	count, err := strconv.Atoi(n)
	if err != nil || count < 0 {
		return 0, 0, fmt.Errorf("rate %q: count must be a whole number", s)
	}
	win, err := time.ParseDuration(d)
	if err != nil || win <= 0 {
		return 0, 0, fmt.Errorf("rate %q: window must be a duration such as 10m", s)
	}
	return count, win, nil
}

// ParseProxies splits a comma-separated list of IP addresses and CIDR
// ranges, refusing anything that is neither: a typo must not silently
// trust the wrong peer or none at all.
func ParseProxies(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if _, err := netip.ParsePrefix(f); err != nil {
			if _, err := netip.ParseAddr(f); err != nil {
				return nil, fmt.Errorf("%q is neither an IP address nor a CIDR range", f)
			}
		}
		out = append(out, f)
	}
	return out, nil
}
