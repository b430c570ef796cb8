package config

import (
	"io"
	"testing"
)

func lookupFrom(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// A setting whose empty value means "off" is turned off by an explicitly
// empty variable, as the README says; an unset one keeps its default.
func TestEmptyValueTurnsSettingOff(t *testing.T) {
	c, _, err := Load(lookupFrom(map[string]string{"CIVICDESK_SMTP_ADDR": "", "CIVICDESK_METRICS_ADDR": ""}), nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTPAddr != "" || c.MetricsAddr != "" {
		t.Errorf("explicitly empty: SMTPAddr %q, MetricsAddr %q; want both off", c.SMTPAddr, c.MetricsAddr)
	}
	c, _, err = Load(lookupFrom(nil), nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTPAddr != ":2525" || c.MetricsAddr != "127.0.0.1:9464" {
		t.Errorf("unset: SMTPAddr %q, MetricsAddr %q; want the defaults", c.SMTPAddr, c.MetricsAddr)
	}
	// An empty value of a setting that cannot be off keeps the default.
	c, _, err = Load(lookupFrom(map[string]string{"CIVICDESK_HTTP_ADDR": "", "CIVICDESK_WORKERS": ""}), nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.WorkerConc != 30 {
		t.Errorf("empty HTTP addr or workers changed the default: %q %d", c.HTTPAddr, c.WorkerConc)
	}
}
