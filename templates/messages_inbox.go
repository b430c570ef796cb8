package templates

// The agency inbox's views, bulk assignment and paging (issue 6, IN).
func init() {
	for k, v := range inboxMessages {
		if _, dup := messages[k]; dup {
			panic("duplicate message key " + k)
		}
		messages[k] = v
	}
}

var inboxMessages = map[string][2]string{
	"inbox.views":           {"Chế độ xem", "Views"},
	"inbox.view.all":        {"Tất cả đang mở", "All open"},
	"inbox.view.new":        {"Mới", "New"},
	"inbox.view.mine":       {"Của tôi", "Mine"},
	"inbox.view.unassigned": {"Chưa phân công", "Unassigned"},
	"inbox.view.overdue":    {"Quá hạn", "Overdue"},
	"inbox.view.due_soon":   {"Sắp đến hạn", "Due soon"},
	"inbox.view.awaiting":   {"Chờ người dân", "Awaiting citizen"},
	"inbox.view.answered":   {"Đã trả lời", "Answered"},
	"inbox.assignee":        {"Người xử lý", "Assignee"},
	"inbox.select":          {"Chọn", "Select"},
	"inbox.bulk.assignee":   {"Giao các phiếu đã chọn cho", "Assign the selected tickets to"},
	"inbox.bulk.me":         {"Tôi", "Me"},
	"inbox.bulk.assign":     {"Giao việc", "Assign"},
	"inbox.page":            {"Trang", "Page"},
	"inbox.page.prev":       {"← Trang trước", "← Previous"},
	"inbox.page.next":       {"Trang sau →", "Next →"},
}
