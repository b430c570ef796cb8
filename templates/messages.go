package templates

// messages holds each user-facing string in Vietnamese and English.
// Vietnamese is the default and must carry correct diacritics.
var messages = map[string][2]string{
	"site.name":               {"Cổng tiếp nhận phản ánh, kiến nghị", "Citizen feedback portal"},
	"site.tagline":            {"Phản ánh khó khăn khi nhận hỗ trợ, trợ cấp, gia hạn thuế, bảo hiểm xã hội", "Report problems receiving support, benefits, tax deferral or social insurance"},
	"nav.home":                {"Trang chủ", "Home"},
	"nav.submit":              {"Gửi phản ánh", "Submit feedback"},
	"nav.track":               {"Tra cứu", "Track"},
	"nav.staff":               {"Cán bộ", "Staff"},
	"nav.inbox":               {"Hộp phiếu", "Inbox"},
	"nav.logout":              {"Đăng xuất", "Sign out"},
	"lang.other":              {"English", "Tiếng Việt"},
	"lang.other.code":         {"en", "vi"},
	"home.lead":               {"Người dân, doanh nghiệp gửi phản ánh, kiến nghị về khó khăn, vướng mắc khi thực hiện chính sách hỗ trợ. Mỗi phản ánh được cấp mã số để tra cứu tiến độ xử lý.", "Citizens and businesses can report difficulties with support policies. Each submission gets a tracking code to follow its progress."},
	"home.channels":           {"Gửi qua biểu mẫu trực tuyến, gọi đường dây nóng, hoặc gửi thư điện tử.", "Use the online form, call the hotline, or send an email."},
	"home.categories":         {"Lĩnh vực tiếp nhận", "Categories we handle"},
	"form.title":              {"Gửi phản ánh, kiến nghị", "Submit feedback"},
	"form.intro":              {"Các trường có dấu * là bắt buộc. Cần ít nhất số điện thoại hoặc email để cơ quan liên hệ.", "Fields marked * are required. Give at least a phone number or an email so the agency can reach you."},
	"form.name":               {"Họ và tên", "Full name"},
	"form.phone":              {"Số điện thoại", "Phone number"},
	"form.email":              {"Email", "Email"},
	"form.province":           {"Tỉnh/Thành phố", "Province/City"},
	"form.province.none":      {"— Chọn tỉnh/thành phố —", "— Choose a province —"},
	"form.category":           {"Lĩnh vực", "Category"},
	"form.category.none":      {"— Chọn lĩnh vực —", "— Choose a category —"},
	"form.subject":            {"Tiêu đề", "Title"},
	"form.body":               {"Nội dung phản ánh", "Details"},
	"form.website":            {"Trang web (để trống)", "Website (leave empty)"},
	"form.send":               {"Gửi phản ánh", "Send"},
	"form.errors":             {"Vui lòng kiểm tra lại các trường được đánh dấu.", "Please check the marked fields."},
	"done.title":              {"Đã tiếp nhận phản ánh", "Your feedback was received"},
	"done.code":               {"Mã số phản ánh của bạn", "Your tracking code"},
	"done.keep":               {"Vui lòng ghi lại mã số này để tra cứu tiến độ xử lý. Khi gọi đường dây nóng, hãy đọc mã số cho điện thoại viên.", "Keep this code to follow progress. Read it to the operator if you call the hotline."},
	"done.track":              {"Tra cứu tiến độ", "Track progress"},
	"track.title":             {"Tra cứu phản ánh", "Track your feedback"},
	"track.code":              {"Mã số phản ánh", "Tracking code"},
	"track.go":                {"Tra cứu", "Look up"},
	"track.notfound":          {"Không tìm thấy phản ánh với mã số này. Vui lòng kiểm tra lại.", "No feedback has this code. Please check it."},
	"track.badcode":           {"Mã số không đúng định dạng (ví dụ PA-7KQ2M-XH4RT).", "That is not a valid code (e.g. PA-7KQ2M-XH4RT)."},
	"track.pending":           {"Phản ánh đã được tiếp nhận và đang được phân loại. Vui lòng quay lại sau ít phút.", "Your feedback was received and is being sorted. Please check back in a few minutes."},
	"track.status":            {"Trạng thái", "Status"},
	"track.category":          {"Lĩnh vực", "Category"},
	"track.agency":            {"Cơ quan xử lý", "Handling agency"},
	"track.received":          {"Ngày tiếp nhận", "Received"},
	"track.due":               {"Hạn trả lời", "Answer due"},
	"track.timeline":          {"Quá trình xử lý", "Progress"},
	"status.triage":           {"Đang phân loại", "Being sorted"},
	"status.new":              {"Đã chuyển cơ quan xử lý", "With the agency"},
	"status.in_progress":      {"Đang xử lý", "In progress"},
	"status.awaiting_citizen": {"Chờ bổ sung thông tin", "Waiting for your information"},
	"status.answered":         {"Đã trả lời", "Answered"},
	"status.resolved":         {"Đã giải quyết", "Resolved"},
	"status.closed":           {"Đã đóng", "Closed"},
	"status.quarantined":      {"Đang kiểm tra", "Under review"},
	"event.received":          {"Tiếp nhận phản ánh", "Feedback received"},
	"event.routed":            {"Chuyển đến cơ quan xử lý", "Sent to the handling agency"},
	"event.triage":            {"Chuyển bộ phận phân loại", "Sent for sorting"},
	"event.due_set":           {"Ấn định hạn trả lời", "Answer deadline set"},
	"event.status":            {"Cập nhật trạng thái", "Status updated"},
	"login.title":             {"Đăng nhập cán bộ", "Staff sign-in"},
	"login.email":             {"Email", "Email"},
	"login.password":          {"Mật khẩu", "Password"},
	"login.go":                {"Đăng nhập", "Sign in"},
	"inbox.title":             {"Hộp phiếu của cơ quan", "Agency inbox"},
	"inbox.empty":             {"Không có phiếu nào đang mở.", "No open tickets."},
	"inbox.code":              {"Mã số", "Code"},
	"inbox.subject":           {"Tiêu đề", "Title"},
	"inbox.agency":            {"Cơ quan", "Agency"},
	"inbox.status":            {"Trạng thái", "Status"},
	"inbox.received":          {"Tiếp nhận", "Received"},
	"inbox.due":               {"Hạn", "Due"},
	"inbox.overdue":           {"Quá hạn", "Overdue"},
	"inbox.total":             {"Tổng số phiếu đang mở", "Open tickets"},
	"error.title":             {"Có lỗi xảy ra", "Something went wrong"},
	"error.back":              {"Quay lại trang chủ", "Back to home"},
	"channel.web":             {"Cổng trực tuyến", "Web portal"},
	"channel.hotline":         {"Đường dây nóng", "Hotline"},
	"channel.email":           {"Thư điện tử", "Email"},
}

// Message returns key in lang ("vi" or "en"), falling back to Vietnamese,
// then to the key itself so a missing entry is visible, not blank.
func Message(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == "en" && m[1] != "" {
		return m[1]
	}
	return m[0]
}
