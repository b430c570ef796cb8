package app_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/civicdesk/civicdesk/internal/apptest"
)

// latePayment are twenty letters about the same thing — unemployment
// benefit approved but not paid — written the way different people write:
// with and without diacritics, long and short, polite and angry.
var latePayment = [][2]string{
	{"Chậm chi trả trợ cấp thất nghiệp", "Tôi đã có quyết định hưởng trợ cấp thất nghiệp từ tháng 3 nhưng đến nay vẫn chưa nhận được tiền chi trả tháng nào."},
	{"Chưa nhận được tiền trợ cấp thất nghiệp", "Đã hơn hai tháng kể từ ngày có quyết định mà tiền trợ cấp thất nghiệp vẫn chưa về tài khoản của tôi."},
	{"Trợ cấp thất nghiệp bị chậm", "Kính gửi quý cơ quan, trợ cấp thất nghiệp của tôi bị chậm chi trả đã 2 tháng, đề nghị xem xét giải quyết."},
	{"Hỏi về việc chi trả trợ cấp thất nghiệp", "Tôi nộp hồ sơ hưởng trợ cấp thất nghiệp đầy đủ, có quyết định rồi nhưng chưa được chi trả, xin hỏi bao giờ được nhận?"},
	{"cham tra tro cap that nghiep", "toi co quyet dinh huong tro cap that nghiep tu thang 4 nhung chua nhan duoc tien tro cap, mong co quan giai quyet som"},
	{"Phản ánh chậm trả tiền trợ cấp thất nghiệp", "Trung tâm dịch vụ việc làm đã ra quyết định nhưng tiền trợ cấp thất nghiệp hàng tháng chưa được chi trả cho tôi."},
	{"Đến nay chưa được nhận trợ cấp thất nghiệp", "Tôi bị mất việc, đã làm thủ tục và có quyết định hưởng trợ cấp thất nghiệp nhưng đến nay chưa được nhận tiền."},
	{"Tiền trợ cấp thất nghiệp chưa về", "Mấy tháng nay tiền trợ cấp thất nghiệp chưa về tài khoản, gọi điện hỏi thì bảo chờ, đề nghị chi trả sớm."},
	{"Đề nghị chi trả trợ cấp thất nghiệp đúng hạn", "Gia đình tôi rất khó khăn, trợ cấp thất nghiệp đã được duyệt nhưng chi trả chậm quá, xin cơ quan chi trả đúng hạn."},
	{"tro cap that nghiep chua duoc chi tra", "da co quyet dinh huong tro cap that nghiep 3 thang nhung chua duoc chi tra dong nao, de nghi kiem tra"},
	{"Chậm thanh toán trợ cấp thất nghiệp", "Trợ cấp thất nghiệp tháng thứ hai của tôi đã quá hạn chi trả hơn 20 ngày mà vẫn chưa nhận được."},
	{"Khiếu nại chậm chi trả trợ cấp", "Tôi khiếu nại việc chậm chi trả trợ cấp thất nghiệp, quyết định hưởng đã có từ lâu nhưng tiền chưa được nhận."},
	{"Bao giờ được nhận trợ cấp thất nghiệp?", "Hồ sơ trợ cấp thất nghiệp của tôi đã được duyệt, có quyết định hưởng nhưng chưa nhận được tiền, bao giờ mới được chi trả?"},
	{"Trợ cấp thất nghiệp tháng 5 chưa chi trả", "Tháng 5 đến kỳ nhận trợ cấp thất nghiệp nhưng tôi chưa được chi trả, các tháng trước cũng chậm."},
	{"Chưa được chi trả trợ cấp thất nghiệp", "Tôi đã có quyết định hưởng trợ cấp thất nghiệp nhưng chưa được chi trả, đi lại nhiều lần vẫn chưa nhận được."},
	{"Chậm nhận tiền trợ cấp thất nghiệp", "Công nhân chúng tôi ở khu công nghiệp đều chậm nhận tiền trợ cấp thất nghiệp dù đã có quyết định hưởng."},
	{"Chi trả trợ cấp thất nghiệp quá chậm", "Việc chi trả trợ cấp thất nghiệp quá chậm, tôi chờ gần 3 tháng rồi vẫn chưa nhận được tiền trợ cấp."},
	{"trợ cấp thất nghiệp chưa nhận", "Xin hỏi vì sao tôi đã có quyết định hưởng trợ cấp thất nghiệp mà chưa nhận được tiền trợ cấp tháng đầu tiên."},
	{"Yêu cầu giải quyết chậm chi trả trợ cấp thất nghiệp", "Đề nghị cơ quan giải quyết tình trạng chậm chi trả trợ cấp thất nghiệp, nhiều người như tôi chưa nhận được tiền."},
	{"Tiền trợ cấp thất nghiệp bị chậm hai tháng", "Tiền trợ cấp thất nghiệp của tôi bị chậm hai tháng, tôi cần tiền để trang trải cuộc sống, mong được chi trả ngay."},
}

// unrelated are twenty letters to the same agency about other matters.
var unrelated = [][2]string{
	{"Hỏi thủ tục học nghề miễn phí", "Tôi muốn đăng ký học nghề hàn điện miễn phí cho lao động nông thôn, xin hướng dẫn thủ tục."},
	{"Doanh nghiệp nợ lương công nhân", "Công ty may nơi tôi làm nợ lương công nhân ba tháng, giám đốc không trả lời, đề nghị thanh tra."},
	{"Tai nạn lao động không được bồi thường", "Tôi bị tai nạn lao động gãy chân khi làm việc tại công trường nhưng chủ thầu không bồi thường."},
	{"Xin cấp giấy phép lao động cho người nước ngoài", "Công ty cần hướng dẫn hồ sơ cấp giấy phép lao động cho chuyên gia người nước ngoài."},
	{"Hợp đồng lao động bị chấm dứt trái luật", "Tôi bị công ty đơn phương chấm dứt hợp đồng lao động khi đang mang thai, như vậy có đúng luật không?"},
	{"Trợ cấp người khuyết tật", "Con tôi khuyết tật nặng, xin hỏi mức trợ cấp xã hội hằng tháng và hồ sơ cần chuẩn bị."},
	{"Đi xuất khẩu lao động bị lừa", "Tôi nộp tiền cho công ty môi giới đi làm việc ở nước ngoài nhưng bị lừa, không được xuất cảnh."},
	{"Làm thêm giờ quá quy định", "Công nhân phải làm thêm giờ liên tục mỗi ngày bốn tiếng, vượt quá quy định của pháp luật."},
	{"Chế độ người có công với cách mạng", "Ông nội tôi là thương binh, xin hỏi chế độ ưu đãi người có công và thủ tục điều chỉnh."},
	{"Không được đóng kinh phí công đoàn", "Công ty trừ lương tiền công đoàn nhưng không nộp, người lao động không được hưởng quyền lợi."},
	{"Hỏi về nghỉ phép năm", "Tôi làm việc đủ 12 tháng, công ty không cho nghỉ phép năm và cũng không thanh toán tiền phép."},
	{"Môi trường làm việc độc hại", "Xưởng sơn nơi tôi làm không có đồ bảo hộ, nhiều người bị bệnh nghề nghiệp về phổi."},
	{"Lao động trẻ em tại cơ sở sản xuất", "Phát hiện cơ sở sản xuất gạch sử dụng trẻ em dưới 15 tuổi làm việc nặng nhọc."},
	{"Sa thải vì tham gia đình công", "Tôi bị sa thải sau khi tham gia đình công đòi tăng lương, đề nghị cơ quan bảo vệ quyền lợi."},
	{"Hỗ trợ hộ nghèo ăn Tết", "Địa phương tôi chưa phát quà hỗ trợ hộ nghèo dịp Tết Nguyên đán, xin cơ quan kiểm tra."},
	{"Đăng ký giới thiệu việc làm", "Tôi mới tốt nghiệp đại học, muốn đăng ký tư vấn giới thiệu việc làm ở trung tâm thì cần giấy tờ gì?"},
	{"Lương tối thiểu vùng", "Công ty trả lương thấp hơn mức lương tối thiểu vùng hai, xin hỏi mức lương tối thiểu hiện nay."},
	{"Cai nghiện ma túy tự nguyện", "Gia đình muốn đưa con đi cai nghiện tự nguyện tại cơ sở công lập, chi phí và thủ tục thế nào?"},
	{"Bình đẳng giới trong tuyển dụng", "Công ty ghi rõ trong tin tuyển dụng chỉ nhận nam giới, như vậy có vi phạm bình đẳng giới không?"},
	{"Quỹ bảo trợ trẻ em", "Xin hỏi điều kiện để trẻ mồ côi được hỗ trợ từ quỹ bảo trợ trẻ em của tỉnh."},
}

// TestSimilarTicketsAtIntake is acceptance 5 of issue 7: of twenty
// submissions about the same late payment, at least fifteen get another
// of them among their suggestions; twenty unrelated tickets to the same
// agency, submitted in between, get none from that group.
func TestSimilarTicketsAtIntake(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	admin := env.AdminToken()
	submit := func(l [2]string) string {
		s := apptest.Submission()
		s["category"], s["title"], s["body"] = "ho-tro-lao-dong", l[0], l[1]
		return submitSearchable(t, env, admin, s)
	}
	var group, other []string
	for i := range latePayment {
		group = append(group, submit(latePayment[i]))
		other = append(other, submit(unrelated[i]))
	}
	type ticket struct {
		ID      string   `json:"id"`
		Similar []string `json:"similar"`
	}
	read := func(code string) ticket {
		r := env.Do("GET", "/api/v1/tickets/"+code, nil, "Authorization", "Bearer "+admin)
		if r.Status != http.StatusOK {
			t.Fatalf("ticket %s: %d %s", code, r.Status, r.Body)
		}
		var tk ticket
		r.JSON(t, &tk)
		return tk
	}
	groupIDs := map[string]bool{}
	for _, c := range group {
		groupIDs[read(c).ID] = true
	}
	found, suggested := 0, 0
	for i, c := range group {
		tk := read(c)
		if len(tk.Similar) > 5 {
			t.Errorf("%s: %d suggestions, at most 5", c, len(tk.Similar))
		}
		if slices.ContainsFunc(tk.Similar, func(id string) bool { return groupIDs[id] }) {
			found++
		} else {
			t.Logf("no suggestion for letter %d (%q)", i, latePayment[i][0])
		}
		suggested += len(tk.Similar)
	}
	falsePos := 0
	for i, c := range other {
		for _, id := range read(c).Similar {
			if groupIDs[id] {
				falsePos++
				t.Errorf("unrelated letter %d (%q) got a late-payment ticket as a suggestion", i, unrelated[i][0])
			}
		}
	}
	fmt.Printf("similar tickets: %d of %d late-payment letters got another of them (%d suggestions in all); unrelated letters with a late-payment suggestion: %d of %d\n",
		found, len(group), suggested, falsePos, len(other))
	if found < 15 {
		t.Errorf("only %d of %d late-payment letters got another of them among their suggestions; want at least 15", found, len(group))
	}
}
