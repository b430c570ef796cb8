package templates

// Messages for accounts, tokens and the audit log (issue #6, AU).
func init() {
	for k, v := range auMessages {
		if _, dup := messages[k]; dup {
			panic("duplicate message key " + k)
		}
		messages[k] = v
	}
}

var auMessages = map[string][2]string{
	"nav.users":             {"Tài khoản", "Users"},
	"nav.audit":             {"Nhật ký", "Audit log"},
	"nav.tokens":            {"Mã truy cập API", "API tokens"},
	"au.users.title":        {"Quản lý tài khoản", "User accounts"},
	"au.users.new":          {"Tạo tài khoản", "New account"},
	"au.email":              {"Email", "Email"},
	"au.name":               {"Họ và tên", "Name"},
	"au.password":           {"Mật khẩu (10–72 ký tự)", "Password (10–72 characters)"},
	"au.role":               {"Vai trò", "Role"},
	"au.agency":             {"Cơ quan", "Agency"},
	"au.agency.hint":        {"Cán bộ và lãnh đạo cơ quan (agency_staff, agency_lead) cần chọn cơ quan; các vai trò khác để trống.", "Agency staff and leads need an agency; leave it empty for other roles."},
	"au.state":              {"Trạng thái", "State"},
	"au.active":             {"Đang hoạt động", "Active"},
	"au.disabled":           {"Đã khoá", "Disabled"},
	"au.you":                {"bạn", "you"},
	"au.save":               {"Lưu", "Save"},
	"au.create":             {"Tạo tài khoản", "Create account"},
	"au.disable":            {"Khoá", "Disable"},
	"au.enable":             {"Mở khoá", "Enable"},
	"au.revoke":             {"Đăng xuất mọi phiên", "Sign out everywhere"},
	"au.done.created":       {"Đã tạo tài khoản.", "Account created."},
	"au.done.updated":       {"Đã đổi vai trò; các phiên đăng nhập của tài khoản đã bị thu hồi.", "Role changed; the account's sessions were revoked."},
	"au.done.disabled":      {"Đã khoá tài khoản và thu hồi mọi phiên đăng nhập.", "Account disabled and signed out everywhere."},
	"au.done.enabled":       {"Đã mở khoá tài khoản.", "Account enabled."},
	"au.done.revoked":       {"Đã thu hồi mọi phiên đăng nhập và mã truy cập của tài khoản.", "Every session and token of the account was revoked."},
	"au.done.token_revoked": {"Đã thu hồi mã truy cập.", "Token revoked."},
	"au.tokens.title":       {"Mã truy cập API", "API tokens"},
	"au.tokens.intro":       {"Mã truy cập cho phép chương trình gọi API /api/v1 với tiêu đề Authorization: Bearer. Vai trò và cơ quan của mã không rộng hơn của tài khoản.", "Tokens let scripts call /api/v1 with an Authorization: Bearer header. A token's role and agency are never wider than its account's."},
	"au.tokens.once":        {"Hãy sao chép mã này ngay: nó chỉ hiển thị một lần và không được lưu lại.", "Copy this token now: it is shown once and is not stored."},
	"au.tokens.name":        {"Tên mã", "Name"},
	"au.tokens.owner":       {"Tài khoản", "Account"},
	"au.tokens.created":     {"Tạo lúc", "Created"},
	"au.tokens.expires":     {"Hết hạn", "Expires"},
	"au.tokens.expired":     {"đã hết hạn", "expired"},
	"au.tokens.revoke":      {"Thu hồi", "Revoke"},
	"au.tokens.none":        {"Chưa có mã truy cập nào.", "No tokens yet."},
	"au.tokens.new":         {"Tạo mã truy cập", "New token"},
	"au.tokens.samerole":    {"— Như tài khoản —", "— Same as the account —"},
	"au.tokens.for":         {"Cho tài khoản (mã tài khoản; để trống là chính bạn)", "For account (user id; empty for yourself)"},
	"au.tokens.days":        {"Thời hạn (ngày)", "Valid for (days)"},
	"au.tokens.hint":        {"Lãnh đạo cơ quan có thể tạo mã với vai trò cán bộ của cùng cơ quan; các vai trò khác chỉ tạo mã với vai trò của chính mình.", "An agency lead may give a token staff powers in the same agency; other roles only their own role."},
	"au.tokens.create":      {"Tạo mã", "Create token"},
	"au.audit.title":        {"Nhật ký hệ thống", "Audit log"},
	"au.audit.intro":        {"Mọi lần đăng nhập, thay đổi quyền, xem dữ liệu cá nhân và thao tác trên phiếu. Nhật ký chỉ để xem, không thể sửa.", "Every sign-in, permission change, view of personal data and ticket action. Read-only: entries cannot be edited."},
	"au.audit.actor":        {"Người thực hiện", "Actor"},
	"au.audit.action":       {"Hành động", "Action"},
	"au.audit.target":       {"Đối tượng", "Target"},
	"au.audit.since":        {"Từ ngày", "From"},
	"au.audit.until":        {"Đến ngày", "To"},
	"au.audit.filter":       {"Lọc", "Filter"},
	"au.audit.at":           {"Thời điểm", "Time"},
	"au.audit.change":       {"Trước → sau", "Before → after"},
	"au.audit.none":         {"Không có mục nào.", "No entries."},
	"au.audit.prev":         {"Trang trước", "Previous"},
	"au.audit.next":         {"Trang sau", "Next"},
}
