package seed

import (
	"testing"

	"github.com/civicdesk/civicdesk/internal/desk"
)

func TestCatalogResolves(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	cat := desk.NewCatalog(d.Agencies, d.Categories)
	if got := cat.Path("BTC-TCT"); len(got) != 2 || got[0] != "BTC" || got[1] != "BTC-TCT" {
		t.Errorf("Path(BTC-TCT) = %v", got)
	}
	if c := cat.Coordinator(); c == nil || c.Code != "VPCP" {
		t.Errorf("coordinator = %v", c)
	}
	if c := cat.Category("khac"); c == nil || c.Agency != "" {
		t.Errorf("'khac' must go to triage, got %+v", c)
	}
	if len(d.Provinces) != 34 {
		t.Errorf("%d provinces, want 34", len(d.Provinces))
	}
	if _, err := Parse([]byte(`{"agencies":[{"code":"A","name":"A"}],"categories":[{"code":"x","name":"X","agency":"NOPE"}]}`)); err == nil {
		t.Error("a category pointing at an unknown agency must be refused")
	}
}
