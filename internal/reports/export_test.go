package reports_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

func getRaw(t *testing.T, e *apptest.Env, path, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", e.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// readCSV checks the BOM and parses the rest.
func readCSV(t *testing.T, r io.Reader) [][]string {
	t.Helper()
	br := bufio.NewReader(r)
	bom := make([]byte, 3)
	if _, err := io.ReadFull(br, bom); err != nil || !bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("CSV does not start with the UTF-8 BOM: %q %v", bom, err)
	}
	rows, err := csv.NewReader(br).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// Exports keep the inbox's scope and filters, refuse bad input, are
// audited, and carry no contact details; XLSX opens back in excelize.
func TestExportScopeFiltersAndXLSX(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Clock: apptest.NewClock(scenarioNow)})
	tickets := seedTickets(300, scenarioNow, 3)
	insertSeed(t, e, tickets, nil)
	btc := e.CreateUser("xuat@btc.example.vn", desk.RoleStaff, "BTC")
	admin := e.AdminToken()

	res := getRaw(t, e, "/api/v1/exports/tickets.csv?status=answered,resolved", btc)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %v", res.StatusCode, res.Header)
	}
	rows := readCSV(t, res.Body)
	res.Body.Close()
	var want []string
	for _, tk := range tickets {
		if (tk.Agency == "BTC" || tk.Agency == "BTC-TCT") && (tk.Status == desk.StatusAnswered || tk.Status == desk.StatusResolved) {
			want = append(want, tk.TrackingCode)
		}
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[0])
		if r[4] != "Bộ Tài chính" && r[4] != "Tổng cục Thuế" {
			t.Errorf("BTC export has a row of %q", r[4])
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("BTC export has %d rows, want %d", len(got), len(want))
	}
	all := strings.Join(slices.Concat(rows...), "|")
	for _, tk := range tickets[:50] {
		if strings.Contains(all, tk.Citizen.Phone) || strings.Contains(all, tk.Citizen.Email) || strings.Contains(all, tk.Citizen.Name) || strings.Contains(all, tk.Body) {
			t.Fatalf("export carries contact details or body text of %s", tk.TrackingCode)
		}
	}

	for path, status := range map[string]int{
		"/api/v1/exports/tickets.csv?agency=BHXH":         404, // out of scope looks like no such agency
		"/api/v1/exports/tickets.csv?status=nonsense":     400,
		"/api/v1/exports/tickets.csv?from=2026-02-30":     400,
		"/api/v1/exports/tickets.xlsx?status=quarantined": 400,
	} {
		r := getRaw(t, e, path, btc)
		r.Body.Close()
		if r.StatusCode != status && !(status == 400 && r.StatusCode == 422) {
			t.Errorf("GET %s: %d, want %d", path, r.StatusCode, status)
		}
	}
	entries, err := e.App.Store.AuditEntries(t.Context(), store.AuditFilter{Action: "export.tickets"})
	if err != nil || len(entries) != 1 {
		t.Errorf("audit entries for the export: %d %v", len(entries), err)
	}

	// XLSX of the admin's full list, read back.
	res = getRaw(t, e, "/api/v1/exports/tickets.xlsx?from=2026-09-01&to=2026-11-27", admin)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("xlsx: %d %s", res.StatusCode, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	xrows, err := f.GetRows("Phiếu")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	titles := map[string]string{}
	for _, tk := range tickets {
		if tk.Status != desk.StatusQuarantined && day(tk.CreatedAt) >= "2026-09-01" {
			n++
			titles[tk.TrackingCode] = tk.Title
		}
	}
	if len(xrows) != n+1 || xrows[0][0] != "Mã phiếu" {
		t.Fatalf("xlsx has %d rows (header %v), want %d", len(xrows), xrows[0], n+1)
	}
	for _, r := range xrows[1:] {
		if titles[r[0]] != r[7] {
			t.Fatalf("xlsx row %s title %q, want %q", r[0], r[7], titles[r[0]])
		}
	}

	// The periodic report, as CSV: one line per agency plus the total.
	res = getRaw(t, e, "/api/v1/exports/report.csv?from=2026-09-01", admin)
	rep := readCSV(t, res.Body)
	res.Body.Close()
	if len(rep) < 4 || rep[len(rep)-1][1] != "Tổng cộng" {
		t.Errorf("report rows %v", rep)
	}
}

// Acceptance 3: a CSV export of 50,000 tickets has the BOM, parses back
// with the Vietnamese intact, and streams in bounded memory (the peak heap
// in use during the export is logged; the test fails past 128 MiB over
// the baseline — HeapInuse counts garbage not yet collected, and FerretDB
// runs in this process — well under what holding 50k decoded tickets
// costs).
func TestExportCSV50k(t *testing.T) {
	// Inserting 50,000 tickets into the embedded store takes minutes (with
	// the caller index kept per ticket), too long for every CI pass; the
	// smaller export tests run always.
	if testing.Short() || os.Getenv("CIVICDESK_TEST_LARGE") == "" {
		t.Skip("inserts 50,000 tickets; set CIVICDESK_TEST_LARGE=1 to run it")
	}
	// Web only: the export is what is measured, not the workers.
	e := apptest.Start(t, apptest.Options{Mode: apptest.WebOnly, Clock: apptest.NewClock(scenarioNow)})
	const n = 50_000
	tickets := seedTickets(n, scenarioNow, 4, 50)
	ins := time.Now()
	for i := 0; i < n; i += 1000 {
		if err := e.App.Store.InsertTickets(t.Context(), tickets[i:i+1000]); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("inserted %d tickets in %v", n, time.Since(ins).Round(time.Millisecond))
	titles := make(map[string]string, n)
	kept := 0
	for _, tk := range tickets {
		if tk.Status != desk.StatusQuarantined {
			titles[tk.TrackingCode] = tk.Title
			kept++
		}
	}
	tickets = nil
	admin := e.AdminToken()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	e.Client = &http.Client{} // the default client's 2-minute bound covers the body too
	res := getRaw(t, e, "/api/v1/exports/tickets.csv", admin)
	br := bufio.NewReader(res.Body)
	bom := make([]byte, 3)
	if _, err := io.ReadFull(br, bom); err != nil || string(bom) != "\xEF\xBB\xBF" {
		t.Fatalf("no BOM: %q %v", bom, err)
	}
	cr := csv.NewReader(br)
	header, err := cr.Read()
	if err != nil || header[7] != "Tiêu đề" {
		t.Fatalf("header %v %v", header, err)
	}
	rows := 0
	for {
		r, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows++
		if titles[r[0]] != r[7] {
			t.Fatalf("row %s: title %q, want %q", r[0], r[7], titles[r[0]])
		}
	}
	res.Body.Close()
	close(stop)
	wg.Wait()
	if rows != kept {
		t.Fatalf("%d rows, want %d", rows, kept)
	}
	grew := int64(peak.Load()) - int64(base)
	t.Logf("CSV export of %d tickets: %v; heap in use %.1f MiB before, peak %.1f MiB (+%.1f MiB) — whole process, server and client",
		rows, time.Since(start).Round(time.Millisecond), float64(base)/(1<<20), float64(peak.Load())/(1<<20), float64(grew)/(1<<20))
	if grew > 128<<20 {
		t.Errorf("export grew the heap by %d MiB", grew>>20)
	}
}
