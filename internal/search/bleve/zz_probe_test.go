package bleve

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/search"
)

func TestZZProbe(t *testing.T) {
	if os.Getenv("PROBE") == "" {
		t.Skip()
	}
	x, err := Open("/tmp/cd-bench", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for _, q := range benchQueries {
		for _, sc := range benchScopes {
			best := time.Hour
			var tot int
			for range 5 {
				st := time.Now()
				res, _ := x.Search(context.Background(), search.Query{Text: q, Scope: sc})
				best = min(best, time.Since(st))
				tot = res.Total
			}
			res, _ := x.Search(context.Background(), search.Query{Text: q})
			fmt.Printf("%-20s %-8s %8v hits=%d unscoped=%d\n", q, sc[0], best, tot, res.Total)
		}
	}
}
