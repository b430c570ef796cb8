package templates

// The citizen side of the tracking page and the public Q&A (issue 6, CZ),
// Vietnamese first. The event.* keys are those of the event types
// internal/citizen records (and "message", a citizen's reply from any
// channel), shown on the public timeline and the staff ticket page.
func init() {
	for k, v := range czMessages {
		if _, dup := messages[k]; dup {
			panic("duplicate message key " + k)
		}
		messages[k] = v
	}
}

var czMessages = map[string][2]string{
	"nav.qa": {"Hỏi đáp", "Q&A"},

	"cz.answers":                  {"Trả lời và trao đổi", "Answers and messages"},
	"cz.answers.none":             {"Chưa có trả lời của cơ quan xử lý.", "The agency has not answered yet."},
	"cz.from.agency":              {"Cơ quan xử lý", "The agency"},
	"cz.from.you":                 {"Bạn", "You"},
	"cz.masked":                   {"Thông tin cá nhân trong câu trả lời đã được che. Xác minh là người gửi phản ánh để xem toàn văn.", "Personal data in the answers is masked. Prove that this is your feedback to read them in full."},
	"cz.awaiting":                 {"Cơ quan xử lý đề nghị bạn bổ sung thông tin. Hãy xác minh rồi gửi trả lời hoặc tài liệu bên dưới; thời hạn trả lời tạm dừng cho đến khi bạn bổ sung.", "The agency asked you for more information. Prove ownership, then reply or send the document below; the answer deadline is paused until you do."},
	"cz.verify.title":             {"Xác minh người gửi phản ánh", "Prove this is your feedback"},
	"cz.verify.intro":             {"Để trả lời, gửi bổ sung tài liệu hoặc đánh giá câu trả lời, hãy nhập 4 chữ số cuối của số điện thoại bạn đã dùng khi gửi phản ánh.", "To reply, send a document or rate the answer, enter the last 4 digits of the phone number you gave."},
	"cz.verify.digits":            {"4 chữ số cuối của số điện thoại", "Last 4 digits of your phone number"},
	"cz.verify.go":                {"Xác minh", "Verify"},
	"cz.link.intro":               {"Hoặc nhận đường dẫn xác minh dùng một lần qua email đã đăng ký (hiệu lực 24 giờ).", "Or get a one-time link by the email address you gave (valid 24 hours)."},
	"cz.link.go":                  {"Gửi đường dẫn qua email", "Email me a link"},
	"cz.confirm.title":            {"Xác nhận đường dẫn xác minh", "Confirm your sign-in link"},
	"cz.confirm.intro":            {"Bấm nút dưới đây để xác minh. Đường dẫn chỉ dùng được một lần.", "Press the button to sign in. The link works only once."},
	"cz.confirm.go":               {"Xác minh và tiếp tục", "Sign in and continue"},
	"cz.verified":                 {"Bạn đã xác minh là người gửi phản ánh này (hiệu lực 2 giờ trên trình duyệt này).", "You proved this is your feedback (for 2 hours in this browser)."},
	"cz.reply.title":              {"Trả lời, bổ sung thông tin", "Reply or add information"},
	"cz.reply.body":               {"Nội dung", "Message"},
	"cz.reply.file":               {"Tài liệu gửi kèm (PDF, JPEG, PNG, DOC, DOCX; tối đa %s)", "Document (PDF, JPEG, PNG, DOC, DOCX; at most %s)"},
	"cz.reply.go":                 {"Gửi", "Send"},
	"cz.rate.title":               {"Đánh giá câu trả lời", "Rate the answer"},
	"cz.rate.score":               {"Mức độ hài lòng", "How satisfied are you?"},
	"cz.rate.1":                   {"1 — Rất không hài lòng", "1 — Very dissatisfied"},
	"cz.rate.2":                   {"2 — Không hài lòng", "2 — Dissatisfied"},
	"cz.rate.3":                   {"3 — Bình thường", "3 — Neutral"},
	"cz.rate.4":                   {"4 — Hài lòng", "4 — Satisfied"},
	"cz.rate.5":                   {"5 — Rất hài lòng", "5 — Very satisfied"},
	"cz.rate.comment":             {"Nhận xét (không bắt buộc, tối đa 2.000 ký tự)", "Comment (optional, at most 2,000 characters)"},
	"cz.rate.go":                  {"Gửi đánh giá", "Send rating"},
	"cz.rate.low":                 {"Đánh giá 1 hoặc 2 trong vòng %d ngày kể từ khi có trả lời sẽ mở lại phản ánh để cơ quan xem xét lại.", "A rating of 1 or 2 within %d days of the answer reopens the ticket for the agency to look at again."},
	"cz.rated":                    {"Bạn đã đánh giá", "Your rating"},
	"cz.done.verified":            {"Xác minh thành công.", "You are signed in for this ticket."},
	"cz.done.link":                {"Nếu phản ánh có địa chỉ email, đường dẫn xác minh đã được gửi tới địa chỉ đó.", "If the ticket has an email address, a sign-in link was sent to it."},
	"cz.done.replied":             {"Đã gửi trả lời của bạn tới cơ quan xử lý.", "Your reply was sent to the agency."},
	"cz.done.rated":               {"Cảm ơn bạn đã đánh giá.", "Thank you for your rating."},
	"cz.done.reopened":            {"Cảm ơn bạn đã đánh giá. Vì bạn chưa hài lòng, phản ánh đã được mở lại và chuyển lại cơ quan xử lý để xem xét.", "Thank you for your rating. As you were not satisfied, the ticket has been reopened and sent back to the agency to look at again."},
	"cz.file":                     {"Tệp", "File"},
	"event.message":               {"Người dân gửi trả lời, bổ sung", "The citizen replied"},
	"event.rated":                 {"Người dân đánh giá câu trả lời", "The citizen rated the answer"},
	"event.reopened_by_rating":    {"Mở lại do người dân đánh giá chưa hài lòng", "Reopened after a low rating"},
	"event.publication_proposed":  {"Đề xuất công khai hỏi đáp", "Proposed for the public Q&A"},
	"event.publication_published": {"Câu trả lời được công khai trong mục Hỏi đáp", "The answer was published in the Q&A"},
	"event.publication_withdrawn": {"Rút khỏi mục Hỏi đáp", "Withdrawn from the Q&A"},
	"ws.done.propose":             {"Đã đề xuất công khai; chờ lãnh đạo duyệt.", "Proposed for publication; waiting for the lead's approval."},
	"ws.done.approve":             {"Đã duyệt; câu trả lời được công khai trong mục Hỏi đáp.", "Approved; the answer is published in the Q&A."},
	"ws.done.withdraw":            {"Đã rút khỏi mục Hỏi đáp.", "Withdrawn from the Q&A."},

	"qa.title":     {"Hỏi đáp", "Questions and answers"},
	"qa.lead":      {"Các câu hỏi của người dân, doanh nghiệp và câu trả lời của cơ quan có thẩm quyền đã được công khai. Thông tin cá nhân đã được che.", "Citizens' and businesses' questions with the competent agency's answers, made public. Personal data is masked."},
	"qa.agency":    {"Cơ quan", "Agency"},
	"qa.category":  {"Lĩnh vực", "Category"},
	"qa.all":       {"— Tất cả —", "— All —"},
	"qa.filter":    {"Lọc", "Filter"},
	"qa.none":      {"Chưa có câu hỏi nào được công khai theo bộ lọc này.", "No published questions match this filter."},
	"qa.question":  {"Câu hỏi", "Question"},
	"qa.answer":    {"Trả lời", "Answer"},
	"qa.published": {"Ngày công khai", "Published"},
	"qa.more":      {"Xem chi tiết", "Read more"},
	"qa.entry":     {"Câu hỏi và trả lời", "Question and answer"},
	"qa.back":      {"Quay lại danh sách hỏi đáp", "Back to the Q&A"},
	"qa.page.prev": {"Trang trước", "Previous page"},
	"qa.page.next": {"Trang sau", "Next page"},
	"qa.page":      {"Trang", "Page"},
}
