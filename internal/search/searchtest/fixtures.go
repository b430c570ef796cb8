package searchtest

import (
	"slices"
	"sort"
	"time"

	"github.com/civicdesk/civicdesk/internal/search"
)

// base is the creation time of the oldest fixture. Fixed, so that sort
// expectations never depend on the clock.
var base = time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC)

func at(hours int) time.Time { return base.Add(time.Duration(hours) * time.Hour) }

// Fixture IDs, named after what they exercise.
const (
	idLate1      = "late-1" // five differently worded complaints about one late payment
	idLate2      = "late-2"
	idLate3      = "late-3"
	idLate4      = "late-4" // typed without diacritics, as many citizens do
	idLate5      = "late-5"
	idPermit     = "permit"      // same agency as the late payments, unrelated topic
	idOtherLate  = "other-late"  // a late payment, but another agency
	idDaNang     = "danang"      // the Đà Nẵng flooding ticket
	idInsAccent  = "ins-accent"  // "bảo hiểm xã hội" with diacritics
	idInsPlain   = "ins-plain"   // the same words without diacritics
	idTaxRefund  = "tax-refund"  // MOF-GDT, child of MOF
	idFee        = "fee"         // MOF itself, published Q&A
	idInvoice    = "invoice"     // MOF-GDT, published
	idGarbageTag = "garbage-tag" // title with HTML-special characters
)

// trackingLate1 is the tracking code of idLate1.
const trackingLate1 = "PA-7KQ2M-XH4RT"

// Fixtures returns the ticket set the conformance suite indexes. Texts are
// real-world style Vietnamese submissions; every field a test filters,
// facets or sorts on varies across them, and creation times are distinct.
func Fixtures() []search.Doc {
	molisa := []string{"MOLISA"}
	return []search.Doc{
		{
			ID: idLate1, TrackingCode: trackingLate1,
			Title:      "Phản ánh về trợ cấp thất nghiệp chưa được chi trả",
			Body:       "Tôi đã nộp hồ sơ hưởng trợ cấp thất nghiệp từ tháng 1 nhưng đến nay vẫn chưa được chi trả.",
			Messages:   []string{"Trung tâm dịch vụ việc làm đã tiếp nhận phản ánh của ông."},
			StaffNotes: []string{"Đã chuyển thanh tra Sở xác minh"},
			Category:   "social-insurance", Agency: "MOLISA", AgencyPath: molisa,
			Province: "HN", Channel: "web", Status: "open", Priority: "high", Overdue: true,
			CreatedAt: at(0), DueAt: at(240), PhoneLast4: "0912",
		},
		{
			ID: idLate2, TrackingCode: "PA-3MZ8Q-TT2LA",
			Title:    "Trợ cấp thất nghiệp chậm chi trả",
			Body:     "Đã quá hạn hai tháng mà trung tâm dịch vụ việc làm vẫn chưa chi trả trợ cấp thất nghiệp cho tôi.",
			Category: "social-insurance", Agency: "MOLISA", AgencyPath: molisa,
			Province: "HCM", Channel: "hotline", Status: "in_progress", Priority: "normal", Overdue: true,
			CreatedAt: at(5), DueAt: at(120), PhoneLast4: "4471",
		},
		{
			ID: idLate3, TrackingCode: "PA-9WQ4R-BC7DE",
			Title:    "Hỏi về việc chậm trả tiền trợ cấp thất nghiệp",
			Body:     "Hồ sơ hưởng trợ cấp thất nghiệp của tôi đã được duyệt nhưng tiền vẫn chưa về tài khoản.",
			Category: "social-insurance", Agency: "MOLISA", AgencyPath: molisa,
			Province: "HN", Channel: "email", Status: "open", Priority: "normal",
			CreatedAt: at(9), DueAt: at(300), PhoneLast4: "1180",
		},
		{
			ID: idLate4, TrackingCode: "PA-2HX6K-PL9MN",
			Title:    "chua nhan duoc tro cap that nghiep",
			Body:     "toi nop ho so huong tro cap that nghiep lau roi ma chua duoc chi tra",
			Category: "social-insurance", Agency: "MOLISA", AgencyPath: molisa,
			Province: "DN", Channel: "sms", Status: "new", Priority: "normal",
			CreatedAt: at(14), DueAt: at(200), PhoneLast4: "5523",
		},
		{
			ID: idLate5, TrackingCode: "PA-8TR5V-QW3ZX",
			Title:    "Khiếu nại chậm chi trả trợ cấp thất nghiệp",
			Body:     "Quyết định hưởng trợ cấp thất nghiệp đã có từ tháng trước nhưng tôi chưa nhận được tiền.",
			Category: "social-insurance", Agency: "MOLISA", AgencyPath: molisa,
			Province: "HCM", Channel: "web", Status: "open", Priority: "high", Overdue: true,
			CreatedAt: at(20), DueAt: at(100), PhoneLast4: "7309",
		},
		{
			ID: idPermit, TrackingCode: "PA-4LM7N-RS8TU",
			Title:    "Thủ tục cấp giấy phép lao động cho người nước ngoài",
			Body:     "Công ty tôi muốn tuyển kỹ sư nước ngoài, cần chuẩn bị hồ sơ gì để xin giấy phép lao động?",
			Category: "labour", Agency: "MOLISA", AgencyPath: molisa,
			Province: "HN", Channel: "web", Status: "answered", Priority: "low",
			CreatedAt: at(26), AnsweredAt: at(60), PhoneLast4: "2048",
		},
		{
			ID: idOtherLate, TrackingCode: "PA-6GH2J-KL4MN",
			Title:    "Chưa nhận trợ cấp thất nghiệp tháng 5",
			Body:     "Tôi đã có quyết định hưởng trợ cấp thất nghiệp nhưng chưa được chi trả tháng 5.",
			Category: "social-insurance", Agency: "DN-SLDTBXH", AgencyPath: []string{"DN", "DN-SLDTBXH"},
			Province: "DN", Channel: "zalo", Status: "open", Priority: "normal",
			CreatedAt: at(31), DueAt: at(180), PhoneLast4: "3390",
		},
		{
			ID: idDaNang, TrackingCode: "PA-5NB3C-VD1FG",
			Title:    "Đường ngập nước sau mưa ở Đà Nẵng",
			Body:     "Tuyến đường Nguyễn Văn Linh, quận Hải Châu, thành phố Đà Nẵng ngập sâu mỗi khi mưa lớn.",
			Messages: []string{"Sở Xây dựng đã giao đơn vị thoát nước khảo sát và nạo vét cống."},
			Category: "infrastructure", Agency: "DN-SXD", AgencyPath: []string{"DN", "DN-SXD"},
			Province: "DN", Channel: "hotline", Status: "answered", Priority: "high", Published: true,
			CreatedAt: at(37), DueAt: at(90), AnsweredAt: at(80), PhoneLast4: "6617",
		},
		{
			ID: idInsAccent, TrackingCode: "PA-7YU8I-OP9AS",
			Title:    "Chưa nhận được tiền bảo hiểm xã hội một lần",
			Body:     "Tôi nghỉ việc đã lâu, làm thủ tục rút bảo hiểm xã hội một lần nhưng chưa nhận được tiền.",
			Category: "social-insurance", Agency: "VSS", AgencyPath: []string{"VSS"},
			Province: "HCM", Channel: "web", Status: "open", Priority: "normal",
			CreatedAt: at(44), DueAt: at(400), PhoneLast4: "8801",
		},
		{
			ID: idInsPlain, TrackingCode: "PA-1QA2S-WS3DE",
			Title:    "Chua nhan duoc tien bao hiem xa hoi mot lan",
			Body:     "Toi nghi viec da lau, lam thu tuc rut bao hiem xa hoi mot lan nhung chua nhan duoc tien.",
			Category: "social-insurance", Agency: "VSS", AgencyPath: []string{"VSS"},
			Province: "HCM", Channel: "sms", Status: "new", Priority: "normal",
			CreatedAt: at(50), DueAt: at(410), PhoneLast4: "8802",
		},
		{
			ID: idTaxRefund, TrackingCode: "PA-3ER4T-YU5IO",
			Title:      "Hoàn thuế thu nhập cá nhân quá chậm",
			Body:       "Tôi nộp hồ sơ hoàn thuế thu nhập cá nhân năm 2024 qua mạng từ tháng 2 nhưng chưa được xử lý.",
			StaffNotes: []string{"Cục Thuế đề nghị bổ sung chứng từ khấu trừ"},
			Category:   "tax", Agency: "MOF-GDT", AgencyPath: []string{"MOF", "MOF-GDT"},
			Province: "HCM", Channel: "web", Status: "open", Priority: "normal", Overdue: true,
			CreatedAt: at(57), DueAt: at(70), PhoneLast4: "4242",
		},
		{
			ID: idFee, TrackingCode: "PA-9OL8K-IJ7UH",
			Title:      "Hỏi về lệ phí trước bạ khi mua xe máy",
			Body:       "Tôi mua xe máy mới tại Hà Nội, xin hỏi lệ phí trước bạ phải nộp là bao nhiêu?",
			Messages:   []string{"Lệ phí trước bạ đối với xe máy là 2% giá tính lệ phí; tại thành phố trực thuộc trung ương là 5% cho lần đầu."},
			StaffNotes: []string{"Cần rà soát lại biểu phí đăng trên cổng"},
			Category:   "fee", Agency: "MOF", AgencyPath: []string{"MOF"},
			Province: "HN", Channel: "email", Status: "answered", Priority: "low", Published: true,
			CreatedAt: at(63), AnsweredAt: at(75), PhoneLast4: "1357",
		},
		{
			ID: idInvoice, TrackingCode: "PA-2WS3X-ED4RF",
			Title:    "Hóa đơn điện tử bị lỗi khi tra cứu",
			Body:     "Tra cứu hóa đơn điện tử trên cổng thông tin của ngành thuế báo lỗi không tìm thấy hóa đơn.",
			Messages: []string{"Đã khắc phục lỗi tra cứu hóa đơn điện tử."},
			Category: "tax", Agency: "MOF-GDT", AgencyPath: []string{"MOF", "MOF-GDT"},
			Province: "HCM", Channel: "zalo", Status: "closed", Priority: "normal", Published: true,
			CreatedAt: at(68), DueAt: at(130), AnsweredAt: at(100), PhoneLast4: "9753",
		},
		{
			ID: idGarbageTag, TrackingCode: "PA-8UJ7Y-HN6BG",
			Title:    "Rác thải tràn ra đường <Khu phố 3> & bốc mùi",
			Body:     "Điểm tập kết rác thải ở đầu hẻm không được thu gom nhiều ngày.",
			Category: "environment", Agency: "DN-SXD", AgencyPath: []string{"DN", "DN-SXD"},
			Province: "DN", Channel: "web", Status: "new", Priority: "normal",
			CreatedAt: at(75), DueAt: at(150), PhoneLast4: "2468",
		},
	}
}

// oracle answers a text-free query over docs the way every backend must:
// it is the reference for filters, scope, facets, sorting and paging.
func oracle(docs []search.Doc, q search.Query) (ids []string, facets map[string]map[string]int) {
	q, err := q.Normalize()
	if err != nil {
		panic(err)
	}
	in := func(vals []string, v string) bool { return len(vals) == 0 || slices.Contains(vals, v) }
	var hits []search.Doc
	for _, d := range docs {
		if q.Scope != nil && !slices.ContainsFunc(search.ScopePath(d), func(a string) bool { return slices.Contains(q.Scope, a) }) {
			continue
		}
		if q.PublishedOnly && !d.Published {
			continue
		}
		if !in(q.Agencies, d.Agency) || !in(q.Statuses, d.Status) || !in(q.Channels, d.Channel) ||
			!in(q.Categories, d.Category) || !in(q.Provinces, d.Province) {
			continue
		}
		if q.Overdue != nil && d.Overdue != *q.Overdue {
			continue
		}
		if !q.CreatedFrom.IsZero() && d.CreatedAt.Before(q.CreatedFrom) {
			continue
		}
		if !q.CreatedTo.IsZero() && d.CreatedAt.After(q.CreatedTo) {
			continue
		}
		hits = append(hits, d)
	}
	facets = map[string]map[string]int{}
	for _, f := range q.Facets {
		counts := map[string]int{}
		for _, d := range hits {
			v := map[string]string{
				search.FacetAgency: d.Agency, search.FacetStatus: d.Status, search.FacetChannel: d.Channel,
				search.FacetCategory: d.Category, search.FacetProvince: d.Province,
			}[f]
			if f == search.FacetOverdue {
				v = map[bool]string{true: "true", false: "false"}[d.Overdue]
			}
			if v != "" {
				counts[v]++
			}
		}
		facets[f] = counts
	}
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		switch q.Sort {
		case search.SortCreatedAsc:
			return a.CreatedAt.Before(b.CreatedAt)
		case search.SortDueAsc:
			if a.DueAt.IsZero() != b.DueAt.IsZero() {
				return !a.DueAt.IsZero()
			}
			if !a.DueAt.Equal(b.DueAt) {
				return a.DueAt.Before(b.DueAt)
			}
		}
		return a.CreatedAt.After(b.CreatedAt)
	})
	for _, d := range hits {
		ids = append(ids, d.ID)
	}
	return ids, facets
}
