package templates

// UI strings of search, similar tickets and topics (issue 7).
func init() {
	for k, v := range searchMessages {
		if _, dup := messages[k]; dup {
			panic("duplicate message key " + k)
		}
		messages[k] = v
	}
}

var searchMessages = map[string][2]string{
	"nav.search":               {"Tìm kiếm", "Search"},
	"search.title":             {"Tìm kiếm phiếu", "Search tickets"},
	"search.q":                 {"Từ khóa (có dấu hoặc không dấu, mã phiếu, 4 số cuối điện thoại)", "Keywords (with or without diacritics, tracking code, last 4 phone digits)"},
	"search.go":                {"Tìm", "Search"},
	"search.any":               {"Tất cả", "Any"},
	"search.agency":            {"Cơ quan", "Agency"},
	"search.agency.scoped":     {"Chỉ tìm trong phiếu của cơ quan bạn.", "Only your agency's tickets are searched."},
	"search.status":            {"Trạng thái", "Status"},
	"search.channel":           {"Kênh", "Channel"},
	"search.category":          {"Lĩnh vực", "Category"},
	"search.province":          {"Tỉnh/thành", "Province"},
	"search.overdue":           {"Quá hạn", "Overdue"},
	"search.overdue.true":      {"Chỉ phiếu quá hạn", "Overdue only"},
	"search.overdue.false":     {"Chưa quá hạn", "Not overdue"},
	"search.from":              {"Nhận từ ngày", "Received from"},
	"search.to":                {"đến ngày", "to"},
	"search.sort":              {"Sắp xếp", "Sort"},
	"search.sort.relevance":    {"Phù hợp nhất", "Best match"},
	"search.sort.due":          {"Hạn xử lý sớm nhất", "Earliest due"},
	"search.sort.created":      {"Mới nhận nhất", "Newest"},
	"search.sort.oldest":       {"Cũ nhất", "Oldest"},
	"search.notes":             {"Tìm cả ghi chú nội bộ", "Include internal notes"},
	"search.results":           {"kết quả", "results"},
	"search.showing":           {"Hiển thị", "Showing"},
	"search.none":              {"Không có phiếu nào khớp với từ khóa.", "No ticket matches."},
	"search.prev":              {"« Trang trước", "« Previous"},
	"search.next":              {"Trang sau »", "Next »"},
	"search.facets":            {"Lọc nhanh", "Refine"},
	"search.facet.agency":      {"Cơ quan", "Agency"},
	"search.facet.status":      {"Trạng thái", "Status"},
	"search.facet.channel":     {"Kênh", "Channel"},
	"search.facet.category":    {"Lĩnh vực", "Category"},
	"search.facet.province":    {"Tỉnh/thành", "Province"},
	"search.facet.overdue":     {"Quá hạn", "Overdue"},
	"search.field.body":        {"Nội dung", "Body"},
	"search.field.messages":    {"Trao đổi", "Messages"},
	"search.field.staff_notes": {"Ghi chú nội bộ", "Internal note"},
	"search.due":               {"Hạn", "Due"},
	"search.received":          {"Nhận", "Received"},
	"similar.title":            {"Phiếu tương tự", "Similar tickets"},
	"similar.intro":            {"Các phiếu cùng cơ quan, nội dung gần giống, nhận trong 30 ngày trước phiếu này (tìm tự động khi tiếp nhận).", "Tickets of the same agency with similar wording, received in the 30 days before this one (found automatically at intake)."},
	"similar.none":             {"Không có phiếu tương tự.", "No similar tickets."},
	"similar.back":             {"Về phiếu", "Back to the ticket"},
	"similar.topic":            {"Chủ đề", "Topic"},
	"similar.group":            {"Gộp các phiếu đã chọn thành chủ đề mới", "Group the selected tickets under a new topic"},
	"similar.add":              {"Thêm các phiếu đã chọn vào chủ đề", "Add the selected tickets to the topic"},
	"similar.topic.title":      {"Tên chủ đề", "Topic title"},
	"similar.link":             {"Phiếu tương tự và chủ đề", "Similar tickets and topic"},
	"topic.tickets":            {"Các phiếu trong chủ đề", "Tickets in this topic"},
	"topic.open":               {"phiếu đang mở", "open tickets"},
	"topic.answer":             {"Trả lời chung cho mọi phiếu đang mở", "Answer every open ticket at once"},
	"topic.answer.body":        {"Nội dung trả lời (gửi như một câu trả lời riêng cho từng phiếu)", "Answer (sent as its own reply to each ticket)"},
	"topic.answer.send":        {"Gửi trả lời", "Send the answer"},
	"topic.answered":           {"Đã trả lời", "Answered"},
	"topic.skipped":            {"Bỏ qua (không còn mở)", "Skipped (no longer open)"},
	"topic.failed":             {"Không trả lời được", "Not answered"},
	"topic.last":               {"Câu trả lời chung gần nhất", "Last answer to the topic"},
	"qa.similar.title":         {"Câu hỏi tương tự đã được trả lời", "Similar questions already answered"},
	"qa.similar.hint":          {"Có thể câu hỏi của bạn đã được trả lời. Bạn vẫn có thể gửi phản ánh.", "Your question may already have an answer. You can still send your feedback."},
}
