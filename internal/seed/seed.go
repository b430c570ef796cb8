// Package seed holds the starting catalog (agencies, categories, provinces)
// as a data file and loads it. The file, not code, is what an office edits.
package seed

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/civicdesk/civicdesk/internal/desk"
)

//go:embed catalog.json
var catalogJSON []byte

// Data is the parsed seed file.
type Data struct {
	Agencies   []desk.Agency
	Categories []desk.Category
	Provinces  []string
}

type fileAgency struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	NameEN      string   `json:"name_en"`
	Parent      string   `json:"parent"`
	Emails      []string `json:"emails"`
	Coordinator bool     `json:"coordinator"`
}

type fileCategory struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	NameEN     string `json:"name_en"`
	Agency     string `json:"agency"`
	AnswerDays int    `json:"answer_days"`
}

// Load parses the embedded catalog and checks that every reference resolves.
func Load() (*Data, error) { return Parse(catalogJSON) }

// Parse parses a catalog file.
func Parse(b []byte) (*Data, error) {
	var f struct {
		Agencies   []fileAgency   `json:"agencies"`
		Categories []fileCategory `json:"categories"`
		Provinces  []string       `json:"provinces"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("seed catalog: %w", err)
	}
	d := &Data{Provinces: f.Provinces}
	known := map[string]bool{}
	for _, a := range f.Agencies {
		if a.Code == "" || a.Name == "" {
			return nil, fmt.Errorf("seed catalog: agency without code or name: %+v", a)
		}
		known[a.Code] = true
		d.Agencies = append(d.Agencies, desk.Agency{Code: a.Code, Name: a.Name, NameEN: a.NameEN, Parent: a.Parent, Emails: a.Emails, Coordinator: a.Coordinator})
	}
	for _, a := range d.Agencies {
		if a.Parent != "" && !known[a.Parent] {
			return nil, fmt.Errorf("seed catalog: agency %s has unknown parent %s", a.Code, a.Parent)
		}
	}
	for i, c := range f.Categories {
		if c.Code == "" || c.Name == "" {
			return nil, fmt.Errorf("seed catalog: category without code or name: %+v", c)
		}
		if c.Agency != "" && !known[c.Agency] {
			return nil, fmt.Errorf("seed catalog: category %s points at unknown agency %s", c.Code, c.Agency)
		}
		if c.AnswerDays <= 0 {
			c.AnswerDays = 10
		}
		d.Categories = append(d.Categories, desk.Category{Code: c.Code, Name: c.Name, NameEN: c.NameEN, Agency: c.Agency, AnswerDays: c.AnswerDays, Order: i})
	}
	return d, nil
}
