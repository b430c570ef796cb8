package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/reports"
	"github.com/civicdesk/civicdesk/internal/store"
)

// vnTicket reads a ticket (with the citizen's data) through the staff
// API once intake has made it.
func vnTicket(t *testing.T, env *apptest.Env, token, code string) *desk.Ticket {
	t.Helper()
	var tk desk.Ticket
	apptest.WaitFor(t, 20*time.Second, "ticket "+code, func() bool {
		r := env.Do("GET", "/api/v1/tickets/"+code, nil, "Authorization", "Bearer "+token)
		if r.Status != http.StatusOK {
			return false
		}
		r.JSON(t, &tk)
		return true
	})
	return &tk
}

type problem struct {
	Status int               `json:"status"`
	Fields map[string]string `json:"fields"`
}

func submitProblem(t *testing.T, env *apptest.Env, sub map[string]string) problem {
	t.Helper()
	r := env.Do("POST", "/api/v1/submissions", sub)
	if r.Status != http.StatusBadRequest {
		t.Fatalf("submission %v: %d %s, want 400", sub, r.Status, r.Body)
	}
	var p problem
	r.JSON(t, &p)
	return p
}

// TestIntakePhonesAsWritten: old area codes, full-width digits and
// extensions are accepted on the API; the two forms of one landline are one
// caller; a refused number says why, in Vietnamese and English.
func TestIntakePhonesAsWritten(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	admin := env.AdminToken()
	submit := func(ph string) *desk.Ticket {
		s := apptest.Submission()
		s["phone"] = ph
		return vnTicket(t, env, admin, env.Submit(s))
	}
	old, now := submit("031 3842 123"), submit("0225 3842 123")
	if old.Citizen.Phone != "+842253842123" || now.Citizen.Phone != old.Citizen.Phone {
		t.Errorf("old and new Hải Phòng forms: %q and %q, want one caller +842253842123", old.Citizen.Phone, now.Citizen.Phone)
	}
	if tk := submit("04 3823 4567 máy lẻ 12"); tk.Citizen.Phone != "+842438234567" || tk.Citizen.PhoneExt != "12" {
		t.Errorf("Hà Nội with extension: %+v", tk.Citizen)
	}
	if tk := submit("０９１２ ３４５ ６７８"); tk.Citizen.Phone != "+84912345678" {
		t.Errorf("full-width digits: %+v", tk.Citizen)
	}
	for ph, want := range map[string][]string{
		"1900 1234":    {"tổng đài", "hotline"},
		"0311 234 567": {"chưa được cấp", "not allocated"},
		"0801234567":   {"chưa được cấp", "not allocated"},
	} {
		s := apptest.Submission()
		s["phone"] = ph
		p := submitProblem(t, env, s)
		for _, w := range want {
			if !strings.Contains(p.Fields["phone"], w) {
				t.Errorf("phone %q: message %q lacks %q", ph, p.Fields["phone"], w)
			}
		}
	}
}

// TestIntakeProvincesAsWritten: any spelling, abbreviation or pre-2025
// name is accepted; the ticket carries the current unit and what was
// written.
func TestIntakeProvincesAsWritten(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	admin := env.AdminToken()
	for written, want := range map[string]string{
		"Thanh Hoá": "Thanh Hóa", "TP.HCM": "TP. Hồ Chí Minh", "Thừa Thiên Huế": "Huế",
		"Ha Noi": "Hà Nội", "Bình Dương": "TP. Hồ Chí Minh", "Hà Giang": "Tuyên Quang",
		"Quảng Nam": "Đà Nẵng", "Hà Nội": "Hà Nội",
	} {
		s := apptest.Submission()
		s["province"] = written
		tk := vnTicket(t, env, admin, env.Submit(s))
		wantWritten := written
		if written == want {
			wantWritten = ""
		}
		if tk.Citizen.Province != want || tk.Citizen.ProvinceWritten != wantWritten {
			t.Errorf("%q: province %q written %q, want %q written %q", written, tk.Citizen.Province, tk.Citizen.ProvinceWritten, want, wantWritten)
		}
	}
	s := apptest.Submission()
	s["province"] = "Atlantis"
	if p := submitProblem(t, env, s); p.Fields["province"] == "" {
		t.Errorf("unknown province accepted: %+v", p)
	}
}

// TestMigrateProvinces: tickets stored with a former province name move to
// the current unit, keep the name in province_written, are found by the
// current unit's search filter, and a second run changes nothing.
func TestMigrateProvinces(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	admin := env.AdminToken()
	ctx := context.Background()
	legacy := map[string]string{}
	for _, old := range []string{"Bình Dương", "Thừa Thiên Huế", "Hà Nội", "Atlantis"} {
		code := env.Submit(apptest.Submission())
		tk := vnTicket(t, env, admin, code)
		// Stored before the 2025 reorganisation (or by an older version).
		if _, err := env.App.Store.UpdateTicketWith(ctx, tk.ID, tk.Version, store.TicketChange{
			Set:   bson.D{{Key: "citizen.province", Value: old}},
			Event: desk.Event{Actor: "system", Type: "test"},
		}, time.Now()); err != nil {
			t.Fatal(err)
		}
		legacy[old] = code
	}
	res, err := env.App.MigrateProvinces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Migrated); n != 2 || res.Unknown["Atlantis"] != 1 {
		t.Fatalf("migrated %v unknown %v", res.Migrated, res.Unknown)
	}
	for old, want := range map[string]string{"Bình Dương": "TP. Hồ Chí Minh", "Thừa Thiên Huế": "Huế"} {
		tk := vnTicket(t, env, admin, legacy[old])
		if tk.Citizen.Province != want || tk.Citizen.ProvinceWritten != old {
			t.Errorf("%s: %+v", old, tk.Citizen)
		}
	}
	_, p := searchAPI(t, env, admin, "q=thu%E1%BA%BF&province=Hu%E1%BA%BF")
	if p == nil || len(p.Tickets) != 1 || p.Tickets[0].TrackingCode != legacy["Thừa Thiên Huế"] {
		t.Errorf("search by current unit Huế: %+v", p)
	}
	// Reports count by current unit.
	adminUser, err := env.App.Store.UserByEmail(ctx, apptest.AdminEmail)
	if err != nil {
		t.Fatal(err)
	}
	period, err := reports.ParsePeriod("", "", time.Now(), 30)
	if err != nil {
		t.Fatal(err)
	}
	dash, err := env.App.Reports().Dashboard(ctx, adminUser, period, "")
	if err != nil {
		t.Fatal(err)
	}
	byProvince := map[string]int{}
	for _, c := range dash.ByProvince {
		byProvince[c.K] = c.N
	}
	if byProvince["TP. Hồ Chí Minh"] != 1 || byProvince["Huế"] != 1 || byProvince["Bình Dương"] != 0 || byProvince["Thừa Thiên Huế"] != 0 {
		t.Errorf("report by province after migration: %v", byProvince)
	}
	before := vnTicket(t, env, admin, legacy["Bình Dương"]).Version
	again, err := env.App.MigrateProvinces(ctx)
	if err != nil || len(again.Migrated) != 0 {
		t.Fatalf("second run: %+v %v", again, err)
	}
	if v := vnTicket(t, env, admin, legacy["Bình Dương"]).Version; v != before {
		t.Errorf("second run changed the ticket: version %d -> %d", before, v)
	}
}

// TestConsoleProvinceAndPhoneAsWritten: the CTI console's call log takes a
// former province name and an old landline number; the ticket it makes
// carries the current unit and today's number, and a refused number says
// why.
func TestConsoleProvinceAndPhoneAsWritten(t *testing.T) {
	e := startHotline(t, nil)
	op := e.CreateUser("dtv-vn@hotline.example.vn", desk.RoleOperator, "")
	call := map[string]any{"call_id": "pbx-vn-1", "phone": "0511 3822 123", "name": "Lê Văn Tám", "province": "Quảng Nam",
		"category": "gia-han-thue", "summary": "Hỏi thủ tục gia hạn nộp thuế cho hộ kinh doanh.", "outcome": "new_ticket"}
	r := e.Do("POST", "/api/v1/calls", call, "Authorization", "Bearer "+op)
	if r.Status != http.StatusCreated {
		t.Fatalf("log call: %d %s", r.Status, r.Body)
	}
	var logged struct {
		TrackingCode string `json:"tracking_code"`
	}
	r.JSON(t, &logged)
	tk := vnTicket(t, e, op, logged.TrackingCode)
	if tk.Citizen.Province != "Đà Nẵng" || tk.Citizen.ProvinceWritten != "Quảng Nam" || tk.Citizen.Phone != "+842363822123" {
		t.Errorf("hotline ticket citizen %+v", tk.Citizen)
	}
	// An old Sài Gòn landline form that is also a mobile today: the caller
	// history is the mobile's and names the other reading.
	r = e.Do("GET", "/api/v1/callers/"+url.PathEscape("08 3823 4567"), nil, "Authorization", "Bearer "+op)
	var h struct {
		Phone       string `json:"phone"`
		OldLandline string `json:"old_landline"`
	}
	r.JSON(t, &h)
	if r.Status != http.StatusOK || h.Phone != "+84838234567" || h.OldLandline != "028 3823 4567" {
		t.Errorf("ambiguous caller: %d %s", r.Status, r.Body)
	}
	call["call_id"], call["phone"] = "pbx-vn-2", "1900 1234"
	r = e.Do("POST", "/api/v1/calls", call, "Authorization", "Bearer "+op)
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "hotline") || !strings.Contains(string(r.Body), "tổng đài") {
		t.Errorf("service number on the console: %d %s", r.Status, r.Body)
	}
}
