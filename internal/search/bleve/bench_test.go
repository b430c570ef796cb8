package bleve

// Benchmarks on 100k synthetic tickets. Run:
//
//	go test ./internal/search/bleve -run '^$' -bench . -benchtime 1000x
//
// The index is generated once per process (deterministic seed) into a
// temporary directory, or into $CIVICDESK_BENCH_DIR, where it is kept and
// reused by later runs (delete the directory after changing the mapping).

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/search"
)

const benchDocs = 100_000

var bench struct {
	once    sync.Once
	x       *Index
	err     error
	tempDir string        // removed by TestMain; "" when CIVICDESK_BENCH_DIR is used
	built   time.Duration // 0 when an existing index was reused
	cpu     time.Duration // CPU time of the build
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.x != nil {
		bench.x.Close()
	}
	if bench.tempDir != "" {
		os.RemoveAll(bench.tempDir)
	}
	os.Exit(code)
}

// benchIndex returns the shared 100k index, building it on first use.
func benchIndex(b *testing.B) *Index {
	b.Helper()
	bench.once.Do(func() {
		dir := os.Getenv("CIVICDESK_BENCH_DIR")
		if dir == "" {
			if dir, bench.err = os.MkdirTemp("", "civicdesk-bench-"); bench.err != nil {
				return
			}
			bench.tempDir = dir
		}
		if bench.x, bench.err = Open(dir, Options{}); bench.err != nil {
			return
		}
		n, err := bench.x.Count(context.Background())
		if err != nil || n == benchDocs {
			bench.err = err
			return
		}
		docs := synthTickets(benchDocs, 20250301)
		start, cpu0 := time.Now(), cpuTime()
		// Rebuild is the bulk path `civicdesk reindex` takes.
		bench.err = bench.x.Rebuild(context.Background(), len(docs), func(ctx context.Context, put func(...search.Doc) error) error {
			for i := 0; i < len(docs); i += 5000 {
				if err := put(docs[i:min(i+5000, len(docs))]...); err != nil {
					return err
				}
			}
			return nil
		}, nil)
		bench.built, bench.cpu = time.Since(start), cpuTime()-cpu0
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.x
}

// BenchmarkIndex100k reports how fast the 100k tickets were indexed (when
// this process built them) and the size of the index on disk.
func BenchmarkIndex100k(b *testing.B) {
	x := benchIndex(b)
	for b.Loop() {
	}
	var size int64
	_ = filepath.WalkDir(x.Dir(), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	b.ReportMetric(float64(size)/(1<<20), "MB")
	if bench.built > 0 {
		b.ReportMetric(float64(benchDocs)/bench.built.Seconds(), "docs/s")
		b.ReportMetric(bench.built.Seconds(), "build-s")
		if bench.cpu > 0 {
			b.ReportMetric(bench.cpu.Seconds(), "build-cpu-s")
		}
	} else {
		b.Log("index reused from CIVICDESK_BENCH_DIR: no indexing throughput measured")
	}
}

// benchQueries are 3-word staff queries, with and without diacritics.
var benchQueries = []string{
	"chậm chi trả", "chi tra cham", "đường ngập nước", "duong ngap nuoc", "cấp giấy phép",
	"hoàn thuế chậm", "rác thải bốc", "tiền hỗ trợ", "tien ho tro", "sổ đỏ đất",
	"bảo hiểm y tế", "bao hiem y", "đèn đường hỏng", "tiếng ồn karaoke", "học phí trường",
}

// benchScopes are agency scopes of different sizes (a province, a
// ministry, a department).
var benchScopes = [][]string{{"HN"}, {"MOLISA"}, {"HCM-SXD"}, {"MOF"}, {"DN"}}

func benchSearch(b *testing.B, sort string) {
	x := benchIndex(b)
	ctx := context.Background()
	var lat []time.Duration
	var hits int
	i := 0
	cpu0 := cpuTime()
	for b.Loop() {
		q := search.Query{
			Text:  benchQueries[i%len(benchQueries)],
			Scope: benchScopes[(i/len(benchQueries))%len(benchScopes)],
			Sort:  sort,
		}
		i++
		start := time.Now()
		res, err := x.Search(ctx, q)
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		hits += res.Total
	}
	cpu := cpuTime() - cpu0
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(hits)/float64(len(lat)), "hits/op")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(lat)), "cpu-ms/op")
	}
}

// BenchmarkSearchRelevance: 3-word query, agency scope, relevance order.
func BenchmarkSearchRelevance(b *testing.B) { benchSearch(b, search.SortRelevance) }

// BenchmarkSearchDueSorted: 3-word query, agency scope, due date order.
func BenchmarkSearchDueSorted(b *testing.B) { benchSearch(b, search.SortDueAsc) }

// ---- synthetic tickets -----------------------------------------------------

type benchAgency struct {
	code string
	path []string
	cats []string
}

// benchAgencies: ministries with a department each, and provinces with
// their departments; tickets are spread over the leaves and the parents.
var benchAgencies = func() []benchAgency {
	var out []benchAgency
	for _, m := range []struct {
		code string
		cats []string
	}{
		{"MOLISA", []string{"social-insurance", "labour"}}, {"MOF", []string{"tax", "fee"}},
		{"MOH", []string{"health"}}, {"MOET", []string{"education"}}, {"MONRE", []string{"land", "environment"}},
		{"MOC", []string{"infrastructure"}}, {"MPS", []string{"security"}}, {"MOT", []string{"transport"}},
	} {
		out = append(out, benchAgency{m.code, []string{m.code}, m.cats})
		out = append(out, benchAgency{m.code + "-DEP", []string{m.code, m.code + "-DEP"}, m.cats})
	}
	for _, p := range []string{"HN", "HCM", "DN", "HP", "CT", "HUE", "KH", "NA", "TH", "QN"} {
		for _, d := range []struct {
			code string
			cats []string
		}{
			{"SXD", []string{"infrastructure", "environment"}}, {"SLDTBXH", []string{"social-insurance", "labour"}},
			{"STNMT", []string{"land", "environment"}}, {"SYT", []string{"health"}}, {"SGDDT", []string{"education"}},
		} {
			out = append(out, benchAgency{p + "-" + d.code, []string{p, p + "-" + d.code}, d.cats})
		}
	}
	return out
}()

var (
	benchProvinces = []string{"HN", "HCM", "DN", "HP", "CT", "HUE", "KH", "NA", "TH", "QN", "BD", "DNAI", "LA", "AG", "BN"}
	benchPlaces    = []string{"Hà Nội", "TP. Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Huế", "Khánh Hòa", "Nghệ An", "Thanh Hóa", "Quảng Ninh"}
	benchStreets   = []string{"Nguyễn Trãi", "Lê Lợi", "Trần Hưng Đạo", "Hai Bà Trưng", "Điện Biên Phủ", "Nguyễn Văn Linh", "Lý Thường Kiệt", "Phạm Văn Đồng"}
	benchChannels  = []string{"web", "hotline", "email", "sms", "zalo", "counter"}
	benchStatuses  = []string{"new", "open", "in_progress", "answered", "closed"}
	benchPriority  = []string{"low", "normal", "high"}
)

// benchTopics maps a category to real complaint phrasings: titles, and
// body sentences with %s for a place or street.
var benchTopics = map[string]struct{ titles, sentences []string }{
	"social-insurance": {
		[]string{"Chậm chi trả trợ cấp thất nghiệp", "Chưa nhận được tiền hỗ trợ", "Hỏi về bảo hiểm xã hội một lần", "Khiếu nại chậm chi trả lương hưu", "Đề nghị chi trả trợ cấp người có công"},
		[]string{"Tôi đã nộp hồ sơ từ ba tháng trước nhưng đến nay vẫn chưa được chi trả.", "Trung tâm dịch vụ việc làm tại %s hẹn nhiều lần nhưng không giải quyết.", "Đề nghị cơ quan chức năng kiểm tra và chi trả đúng hạn.", "Tiền hỗ trợ theo quyết định vẫn chưa về tài khoản."},
	},
	"labour": {
		[]string{"Công ty nợ lương công nhân", "Cấp giấy phép lao động cho người nước ngoài", "Doanh nghiệp không đóng bảo hiểm cho người lao động", "Tranh chấp hợp đồng lao động"},
		[]string{"Công ty tại %s nợ lương hai tháng và không trả lời người lao động.", "Xin hướng dẫn hồ sơ cấp giấy phép lao động.", "Người lao động bị chấm dứt hợp đồng trái pháp luật."},
	},
	"tax": {
		[]string{"Hoàn thuế thu nhập cá nhân chậm", "Lỗi tra cứu hóa đơn điện tử", "Hỏi về quyết toán thuế", "Bị phạt chậm nộp tờ khai thuế"},
		[]string{"Hồ sơ hoàn thuế nộp qua mạng từ tháng trước chưa được xử lý.", "Cổng thông tin thuế báo lỗi khi tra cứu hóa đơn.", "Chi cục thuế %s chưa trả lời văn bản của tôi."},
	},
	"fee": {
		[]string{"Hỏi về lệ phí trước bạ xe máy", "Thu phí không đúng quy định", "Lệ phí cấp sổ đỏ quá cao"},
		[]string{"Xin hỏi lệ phí trước bạ khi mua xe tại %s là bao nhiêu.", "Đơn vị thu phí không xuất biên lai."},
	},
	"health": {
		[]string{"Bệnh viện từ chối thanh toán bảo hiểm y tế", "Thái độ nhân viên y tế không đúng mực", "Thiếu thuốc tại trạm y tế"},
		[]string{"Bệnh viện ở %s yêu cầu tự chi trả dù có thẻ bảo hiểm y tế.", "Người bệnh phải chờ rất lâu mà không được hướng dẫn."},
	},
	"education": {
		[]string{"Trường thu học phí sai quy định", "Lạm thu đầu năm học", "Chưa nhận được hỗ trợ học phí"},
		[]string{"Trường ở %s thu nhiều khoản ngoài học phí.", "Phụ huynh đề nghị công khai các khoản thu của trường."},
	},
	"land": {
		[]string{"Chậm cấp sổ đỏ", "Tranh chấp đất đai với hàng xóm", "Đền bù giải phóng mặt bằng không thỏa đáng"},
		[]string{"Hồ sơ cấp giấy chứng nhận quyền sử dụng đất tại %s đã quá hạn.", "Gia đình tôi chưa nhận được tiền đền bù đất."},
	},
	"environment": {
		[]string{"Rác thải bốc mùi không được thu gom", "Tiếng ồn karaoke ban đêm", "Xả thải ra sông gây ô nhiễm"},
		[]string{"Rác thải tập kết trên đường %s nhiều ngày không được thu gom.", "Quán karaoke hát đến nửa đêm gây tiếng ồn.", "Nhà máy xả nước thải có mùi hôi ra sông."},
	},
	"infrastructure": {
		[]string{"Đường ngập nước sau mưa", "Đèn đường hỏng nhiều ngày", "Mặt đường xuống cấp nghiêm trọng", "Cống thoát nước bị tắc"},
		[]string{"Tuyến đường %s ngập sâu mỗi khi mưa lớn.", "Đèn đường trên phố %s hỏng gây mất an toàn.", "Mặt đường có nhiều ổ gà, xe máy dễ bị ngã."},
	},
	"security": {
		[]string{"Tụ tập đua xe trái phép", "Cấp căn cước công dân chậm", "Trộm cắp tài sản trong khu dân cư"},
		[]string{"Thanh niên đua xe trên đường %s vào ban đêm.", "Làm thủ tục căn cước từ lâu chưa nhận được thẻ."},
	},
	"transport": {
		[]string{"Xe buýt không dừng đúng trạm", "Đăng kiểm xe chậm", "Biển báo giao thông bị che khuất"},
		[]string{"Xe buýt tuyến qua đường %s thường bỏ trạm.", "Trung tâm đăng kiểm hẹn nhiều lần."},
	},
}

var trackingAlphabet = []rune("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")

// synthTickets generates n tickets deterministically from seed.
func synthTickets(n int, seed uint64) []search.Doc {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	code := func() string {
		var b strings.Builder
		for range 5 {
			b.WriteRune(trackingAlphabet[r.IntN(len(trackingAlphabet))])
		}
		return b.String()
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := make([]search.Doc, n)
	for i := range docs {
		ag := benchAgencies[r.IntN(len(benchAgencies))]
		cat := ag.cats[r.IntN(len(ag.cats))]
		topic := benchTopics[cat]
		title := pick(topic.titles)
		if r.IntN(4) == 0 {
			title += " tại " + pick(benchPlaces)
		}
		var body []string
		for range 2 + r.IntN(3) {
			s := pick(topic.sentences)
			if strings.Contains(s, "%s") {
				s = fmt.Sprintf(s, pick(append(benchStreets, benchPlaces...)))
			}
			body = append(body, s)
		}
		created := start.Add(time.Duration(r.IntN(500*24)) * time.Hour)
		d := search.Doc{
			ID:           fmt.Sprintf("t%07d", i),
			TrackingCode: "PA-" + code() + "-" + code(),
			Title:        title,
			Body:         strings.Join(body, " "),
			Category:     cat,
			Agency:       ag.code,
			AgencyPath:   ag.path,
			Province:     pick(benchProvinces),
			Channel:      pick(benchChannels),
			Status:       pick(benchStatuses),
			Priority:     pick(benchPriority),
			Overdue:      r.IntN(5) == 0,
			Published:    r.IntN(10) == 0,
			CreatedAt:    created,
			PhoneLast4:   fmt.Sprintf("%04d", r.IntN(10000)),
		}
		if d.Status != "closed" {
			d.DueAt = created.Add(time.Duration(5+r.IntN(25)) * 24 * time.Hour)
		}
		if r.IntN(2) == 0 {
			d.Messages = []string{"Cơ quan đã tiếp nhận phản ánh và đang xử lý.", pick(topic.sentences)}
			if strings.Contains(d.Messages[1], "%s") {
				d.Messages[1] = fmt.Sprintf(d.Messages[1], pick(benchPlaces))
			}
		}
		if r.IntN(3) == 0 {
			d.StaffNotes = []string{"Đã chuyển phòng chuyên môn xác minh."}
		}
		docs[i] = d
	}
	return docs
}
