"""Every sentence careloop says to staff, Vietnamese first, English second (pure)."""

from __future__ import annotations

LANGUAGES = ("vi", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # Row problems: written into the row's System note.
    "name_missing": ("Thiếu họ tên", "Name is missing"),
    "too_long": ("{column} dài quá {limit} ký tự", "{column} is longer than {limit} characters"),
    "date_invalid": ("{column} '{value}' không tồn tại", "{column} '{value}' is not a real date"),
    "date_unreadable": (
        "{column} '{value}' không đọc được; hãy nhập dạng {pattern}",
        "{column} '{value}' cannot be read; type it as {pattern}",
    ),
    "date_needs_year": ("{column} '{value}' thiếu năm", "{column} '{value}' has no year"),
    "date_future": ("{column} '{value}' ở tương lai", "{column} '{value}' is in the future"),
    "phone_invalid": ("{column} '{value}' không hợp lệ", "{column} '{value}' is not a valid phone number"),
    "email_not_ascii": (
        "{column} '{value}' có chữ có dấu hoặc ký tự đặc biệt trước @; đa số hộp thư không nhận được, "
        "hãy hỏi khách địa chỉ khác",
        "{column} '{value}' has non-ASCII characters before the @; most mail servers cannot deliver it, "
        "ask for another",
    ),
    "id_unreadable": (
        "{column} '{value}' có ký tự xuống dòng hoặc ký tự điều khiển; hãy gõ lại mã",
        "{column} '{value}' holds a line break or control character; type the ID again",
    ),
    "email_invalid": ("{column} '{value}' không hợp lệ", "{column} '{value}' is not a valid email address"),
    "checkbox_unreadable": (
        "{column} '{value}' không rõ; hãy đánh dấu ô hoặc để trống",
        "{column} '{value}' is unclear; tick the box or leave it empty",
    ),
    "language_unknown": ("{column} '{value}' không rõ; dùng vi hoặc en", "{column} '{value}' is unknown; use vi or en"),
    "channel_unknown": (
        "{column} '{value}' không rõ; dùng email, sms hoặc zalo",
        "{column} '{value}' is unknown; use email, sms or zalo",
    ),
    "no_contact": ("Không có email hay số điện thoại", "No email or phone number"),
    "channel_needs_email": ("Kênh {channel} cần địa chỉ email", "Channel {channel} needs an email address"),
    "channel_needs_phone": ("Kênh {channel} cần số điện thoại", "Channel {channel} needs a phone number"),
    "duplicate_id": ("{column} '{value}' bị trùng ở các dòng {rows}", "{column} '{value}' is repeated on rows {rows}"),
    # Settings: what a bad value needs.
    "hours_format": ("dạng HH:MM-HH:MM", "expected HH:MM-HH:MM, e.g. 08:00-20:00"),
    "hours_order": ("giờ bắt đầu phải trước giờ kết thúc", "the start must be before the end"),
    "hours_legal": ("Nghị định 91/2020 chỉ cho phép 07:00-22:00", "Decree 91/2020 allows 07:00-22:00 only"),
    "need_whole_number": ("cần một số nguyên", "expected a whole number"),
    "need_number": ("cần một số", "expected a number"),
    "need_timezone": ("không phải múi giờ IANA", "not an IANA time zone, e.g. Asia/Ho_Chi_Minh"),
    "need_region": ("cần mã vùng hai chữ cái", "expected a two-letter region code, e.g. VN"),
    "need_url": ("cần một địa chỉ http(s)", "expected an http(s) URL"),
    "need_channel_order": (
        "cần danh sách kênh, cách nhau bởi dấu phẩy: {choices}",
        "expected channels separated by commas: {choices}",
    ),  # fmt: skip
    "need_zalo_templates": (
        "cần dạng loại:mã_mẫu, cách nhau bởi dấu phẩy (loại: {kinds})",
        "expected kind:template_id pairs separated by commas (kinds: {kinds})",
    ),
    "need_twilio_sid": (
        "cần Account SID của Twilio (AC và 32 ký tự hex)",
        "expected a Twilio Account SID (AC + 32 hex)",
    ),
    "need_sms_sender": (
        "cần tên thương hiệu (tối đa 11 chữ cái, chữ số, khoảng trắng) hoặc số dạng +84…",
        "expected a brand name (at most 11 letters, digits, spaces) or a number like +84…",
    ),
    "need_with": ("cần có khi đã đặt {other}", "needed once {other} is set"),
    # The Messages tab: why a row's text is not used (its System note).
    "text_not_used": (
        "Không dùng được, đang gửi nội dung có sẵn: {reasons}",
        "Not used, the built-in text goes out: {reasons}",
    ),
    "text_brace": (
        "dấu ngoặc không đúng ở '{text}' (chỉ dùng tên như {{ten}})",
        "a brace out of place at '{text}' (use only names like {{name}})",
    ),
    "text_unknown_placeholder": ("không có chỗ điền {placeholder}", "there is no placeholder {placeholder}"),
    "text_empty": ("nội dung trống", "the text is empty"),
    "text_can_be_empty": (
        "nội dung có thể trống: khi không có mã quà tặng hay link khảo sát, các dòng chứa chúng bị bỏ và không còn "
        "lời nào; hãy thêm một dòng lời chào, ví dụ 'Chào {{ten_goi}},'",
        "the text can end up empty: without a voucher or survey link the lines holding them are left out and no words "
        "remain; add a line of greeting, for example 'Dear {{greeting}},'",
    ),
    "need_business_name": (
        "chưa đặt tên doanh nghiệp: khách sẽ nhận thư ký tên 'careloop'",
        "the business name is not set: customers would get messages signed 'careloop'",
    ),
    "need_public_url": (
        "chưa đặt địa chỉ công khai (public_url, hoặc survey_url và unsubscribe_url): link khảo sát và từ chối "
        "nhận tin sẽ trỏ vào máy này (http://127.0.0.1:8080)",
        "no public address is set (public_url, or survey_url and unsubscribe_url): survey and opt-out links would "
        "point at this machine (http://127.0.0.1:8080)",
    ),
    "need_sender_email": (
        "chưa đặt địa chỉ gửi thư của doanh nghiệp, hoặc đó là địa chỉ mẫu (example.com, .test, .invalid, .localhost)",
        "the business's sender address is not set, or is a placeholder (example.com, .test, .invalid, .localhost)",
    ),
    "warning": ("cảnh báo", "warning"),
    "store_not_yet": ("chưa có (lần chạy đầu tiên sẽ tạo)", "not made yet (the first run makes it)"),
    "digest_no_name": ("anh/chị", "Manager"),
    "voucher_duplicate": (
        "Mã phiếu trùng với dòng {row}; dòng {row} được dùng, hãy xóa dòng này",
        "The same code as row {row}; row {row} counts, delete this one",
    ),
    "voucher_code_rewritten": (
        "Đã viết lại mã phiếu đúng như khi phát: {issued}",
        "The code was written back as it was issued: {issued}",
    ),
    "provider_limit": (
        "Kênh {channel} đã hết hạn mức trong ngày ({error}); hôm nay các tin được gửi qua kênh kế tiếp của khách. "
        "Muốn tăng hạn mức, hãy liên hệ nhà cung cấp",
        "Channel {channel} reached its daily limit ({error}); today messages go by each customer's next channel. "
        "Ask the provider to raise the limit",
    ),
    "link_not_public": (
        "khách không mở được địa chỉ này (máy này, mạng nội bộ hoặc không phải https)",
        "customers cannot open this address (this machine, a private network, or not https)",
    ),
    "text_subject_too_long": (
        "tiêu đề dài {length} ký tự, tối đa {limit}",
        "the subject is {length} characters long, at most {limit}",
    ),
    "text_no_subject": ("email cần tiêu đề", "an email needs a subject"),
    "text_placeholder_not_here": (
        "{placeholder} không dùng được cho loại tin này",
        "{placeholder} has no value in this kind of message",
    ),
    "text_placeholder_needed": ("thiếu {placeholder}", "{placeholder} is missing"),
    "text_sms_too_long": ("SMS quá dài: {error}", "the SMS is too long: {error}"),
    "text_row_unknown": (
        "Loại tin, Ngôn ngữ hoặc Kênh không rõ (loại: {kinds}; ngôn ngữ: vi, en; kênh: {channels})",
        "Kind, Language or Channel unclear (kinds: {kinds}; languages: vi, en; channels: {channels})",
    ),
    "text_inactive": (
        "Ô Dùng chưa đánh dấu: đang gửi nội dung có sẵn",
        "Active is not ticked: the built-in text goes out",
    ),
    "text_duplicate": (
        "Trùng với dòng {row}: dòng {row} được dùng",
        "Same kind, language and channel as row {row}: row {row} is used",
    ),
    "text_builtin": ("nội dung có sẵn", "built-in text"),
    "text_from_row": ("tab '{tab}', dòng {row}", "tab '{tab}', row {row}"),
    "voucher_taken": (
        "Mã quà {voucher} vừa được phát cho khách khác; lần chạy sau sẽ phát mã mới",
        "Voucher code {voucher} was just issued to another customer; the next run issues a new one",
    ),
    "voucher_tab_missing": (
        "Chưa có tab Phiếu quà tặng: chạy 'careloop setup-sheet' để xem các mã đã phát",
        "No Vouchers tab: run 'careloop setup-sheet' to see the codes issued",
    ),
    "voucher_unknown": ("Mã phiếu này không do careloop phát hành", "careloop did not issue this code"),
    "email_unsubscribe_line": ("Từ chối nhận tin: {url}", "Unsubscribe: {url}"),  # the Customers tab's words
    # Placeholders in message texts: what each becomes (the Messages tab's header note, the README).
    "placeholder_given_name": ("tên gọi (tên cuối): Lan", "given name: Lan"),
    "placeholder_salutation": (
        "xưng hô như trên dòng khách (chị, anh…; trống: anh/chị)",
        "salutation as in the row (Ms, Mr…)",
    ),
    "placeholder_full_name": ("họ tên: Nguyễn Thị Lan", "full name: Nguyễn Thị Lan"),
    "placeholder_greeting": ("xưng hô và tên: chị Lan", "salutation and name: Ms Lan"),
    "placeholder_business": ("tên doanh nghiệp", "the business's name"),
    "placeholder_purchase_date": ("ngày mua: 16/11/2026", "purchase date: 16/11/2026"),
    "placeholder_voucher_code": ("mã quà tặng: 7K3QW9XM (tin sinh nhật)", "voucher code: 7K3QW9XM (birthday)"),
    "placeholder_voucher_value": ("giá trị quà: giảm 15%", "voucher value: 15% off"),
    "placeholder_valid_until": ("hạn dùng quà: 24/12/2026", "voucher valid until: 24/12/2026"),
    "placeholder_survey_link": ("link khảo sát (email: năm nút bấm)", "survey link (email: five buttons)"),
    "placeholder_case_id": ("mã hồ sơ: HS-ABCD2345 (khảo sát sau xử lý)", "case ID (survey after a case)"),
    "placeholder_opt_out_link": (
        "link từ chối nhận tin (bắt buộc trong SMS quảng cáo)",
        "opt-out link (required in promotional SMS)",
    ),
    "messages_header_note": (
        "Sửa nội dung tin gửi khách ở đây. Chỗ điền:\n{table}\nDòng có {{link_khao_sat}}, {{link_tu_choi}} "
        "hoặc quà tặng chỉ hiện khi tin có khảo sát, link từ chối hoặc quà. Dòng sai sẽ được ghi chú và tin có sẵn "
        "được gửi thay.",
        "Edit what customers receive here. Placeholders:\n{table}\nA line with {{survey_link}}, "
        "{{unsubscribe_link}} or a voucher shows only when the message has one. A row that cannot be used is noted "
        "and the built-in text goes out.",
    ),
    "channels": ("Kênh gửi", "Channels"),
    "send_queue": ("Hàng đợi gửi (Pub/Sub)", "Send queue (Pub/Sub)"),
    "check_queue": (
        "có đủ chủ đề; quá {after} tin một lần chạy thì phần còn lại đi theo lô {size} tin",
        "topics found; past {after} messages a run, the rest go in batches of {size}",
    ),
    "digest_no_manager": (
        "Không biết gửi bản tin tuần cho ai: đặt manager_emails, hoặc người phụ trách cấp 3 ở dòng '*' của "
        "Ma trận leo thang",
        "No one to send the weekly digest to: set manager_emails, or the tier-3 owner of the matrix's '*' row",
    ),
    "digest_done": (
        "Bản tin tuần {week}: đã gửi {sent}, bỏ qua {skipped}",
        "Weekly digest {week}: sent {sent}, skipped {skipped}",
    ),
    "digest_headline": (
        "{sent} tin đã gửi, {answers} đánh giá, {cases} hồ sơ mới",
        "{sent} messages sent, {answers} answers, {cases} new cases",
    ),  # fmt: skip
    "digest_messages": ("Tin đã gửi", "Messages sent"),
    "digest_answers": ("Số đánh giá", "Survey answers"),
    "digest_mean_score": ("Điểm trung bình (1–5)", "Mean score (1–5)"),
    "digest_satisfied": ("Hài lòng (4–5 điểm)", "Satisfied (4–5)"),
    "digest_cases_opened": ("Hồ sơ mới", "Cases opened"),
    "digest_cases_resolved": ("Hồ sơ đã giải quyết", "Cases resolved"),
    "digest_escalated": ("Hồ sơ phải leo thang", "Cases escalated"),
    "digest_first_response": ("Phản hồi đầu, trung vị (giờ làm việc)", "First response, median (working hours)"),
    "digest_vouchers_issued": ("Phiếu quà tặng đã phát", "Vouchers issued"),
    "digest_vouchers_used": ("Phiếu quà tặng đã dùng", "Vouchers used"),
    "digest_replies": ("Phản hồi của khách (email, Zalo)", "Customer replies (email, Zalo)"),
    "digest_refusals": ("Khách từ chối nhận tin qua phản hồi", "Refusals by reply"),
    "digest_bounces": ("Email bị trả lại", "Bounced emails"),
    "chart_weeks": ("Tuần", "Week"),
    "call_list": ("Trong danh sách gọi điện (tab Gọi điện)", "On the call list (Calls tab)"),
    "call_checkin": ("Hỏi thăm sau mua (gọi điện)", "Check-in call"),
    "call_low_score": ("Điểm khảo sát thấp: gọi lại", "Low survey score: call back"),
    "call_vip": ("Khách VIP: gọi chúc mừng / hỏi thăm", "VIP: courtesy call"),
    "call_waiting": ("Chưa gọi, đã {days} ngày", "Not called yet, {days} day(s)"),
    "call_recorded": ("Đã ghi nhận lúc {at}", "Recorded at {at}"),
    "call_case_issue": ("Cuộc gọi chăm sóc: {outcome}", "Care call: {outcome}"),
    "call_outcome_reached": ("liên lạc được", "reached"),
    "call_outcome_no_answer": ("không nghe máy", "no answer"),
    "call_outcome_wrong_number": ("sai số", "wrong number"),
    "call_outcome_call_back": ("gọi lại sau", "call back"),
    "call_last_contact": ("{date} – gọi điện ({outcome})", "{date} – call ({outcome})"),
    "call_category": ("Cuộc gọi", "Call"),
    "call_not_recorded": (
        "Chưa ghi nhận cuộc gọi: {why}; sửa xong, lần chạy sau sẽ ghi nhận",
        "Call not recorded: {why}; once fixed, the next run records it",
    ),
    "call_no_customer": (
        "Mã KH '{value}' không có trong tab Khách hàng; hãy chép đúng mã khách",
        "Customer ID '{value}' is not in the Customers tab; copy the customer's ID",
    ),
    "call_score_unreadable": (
        "Điểm nghe được '{value}' không đọc được; nhập số từ 1 đến 5",
        "Score heard '{value}' cannot be read; type a number from 1 to 5",
    ),
    "call_outcome_unreadable": (
        "Kết quả '{value}' không rõ; chọn trong danh sách (liên lạc được, không nghe máy, sai số, gọi lại sau)",
        "Outcome '{value}' is unclear; pick one from the list (reached, no answer, wrong number, call back)",
    ),
    "metric_calls": ("Cuộc gọi đã thực hiện", "Calls made"),
    "metric_calls_reached": ("Cuộc gọi liên lạc được", "Calls that reached the customer"),
    "help_export": (
        "in JSON mọi dữ liệu careloop giữ về một khách",
        "print as JSON everything careloop holds about a customer",
    ),
    "help_erase": (
        "xóa dữ liệu cá nhân của một khách (như đánh dấu Xóa dữ liệu)",
        "erase a customer's personal data (as ticking Erase data does)",
    ),
    "help_customer_id": ("Mã KH", "the customer's ID"),
    "erase_nothing": (
        "Không có dữ liệu cá nhân nào của {customer_id} trong tab Khách hàng để xóa",
        "No personal data of {customer_id} in the Customers tab to erase",
    ),
    "erased_at": ("Đã xóa dữ liệu lúc {at} (theo yêu cầu của khách)", "Personal data erased at {at} (on request)"),
    "metric_consented": ("Khách đồng ý nhận quảng cáo (hiện tại)", "Customers consenting to advertising (now)"),
    "preview_source": ("Nội dung: {source}", "Words from: {source}"),
    "check_texts": ("{count} nội dung của nhân viên dùng được", "{count} staff texts in use"),
    "preview_sms": (
        "{length} ký tự {encoding}, {segments} tin SMS",
        "{length} {encoding} characters, {segments} SMS segment(s)",
    ),
    "channels_not_set_up": ("chưa cấu hình: {channels}", "not set up: {channels}"),
    "need_firestore_database": ("tên cơ sở dữ liệu Firestore không hợp lệ", "not a valid Firestore database id"),
    "need_phrases": ("cần ít nhất một cụm từ, ngăn bằng |", "expected phrases separated by |"),
    "need_sheet": (
        "cần tệp .xlsx, google:KEY hoặc địa chỉ bảng tính Google",
        "expected an .xlsx path, google:KEY or a Google Sheets URL",
    ),
    "need_pubsub_topic": (
        "cần tên chủ đề Pub/Sub (chữ, số, - _ . ~ + %; 3–200 ký tự)",
        "expected a Pub/Sub topic name (letters, digits, - _ . ~ + %; 3–200 characters)",
    ),
    "need_pubsub_project": (
        "cần pubsub_project, hoặc store = firestore://PROJECT để dùng chung dự án",
        "needs pubsub_project, or store = firestore://PROJECT to use the same project",
    ),
    "need_firestore_project": (
        "cần firestore://PROJECT[/DATABASE] với mã dự án Google Cloud",
        "expected firestore://PROJECT[/DATABASE] with a Google Cloud project id",
    ),
    "need_store": (
        "cần đường dẫn tệp .sqlite hoặc firestore://PROJECT[/DATABASE]",
        "expected a .sqlite file path or firestore://PROJECT[/DATABASE]",
    ),
    "need_choice": ("chọn một trong: {choices}", "choose one of: {choices}"),
    "need_range": ("trong khoảng {low} đến {high}", "between {low} and {high}"),
    "not_a_setting": ("'{key}' không phải một thiết lập", "'{key}' is not a setting"),
    "need_project": (
        "cần GOOGLE_CLOUD_PROJECT hoặc firestore://PROJECT",
        "needs GOOGLE_CLOUD_PROJECT or firestore://PROJECT",
    ),
    "setting": ("Thiết lập", "setting"),
    "need_host": ("cần tên máy chủ, không có http:// hay :cổng", "expected a host name, without http:// or :port"),
    "need_long_secret": ("cần ít nhất 32 ký tự ngẫu nhiên", "expected at least 32 random characters"),
    "no_control": ("có ký tự xuống dòng hoặc ký tự điều khiển", "holds a line break or a control character"),
    "outbox_not_folder": ("không phải một thư mục", "is not a folder"),
    "outbox_not_writable": ("careloop không ghi được vào đây", "careloop cannot write there"),
    "config_missing": ("{path}: không có tệp này", "{path}: no such file"),
    "config_unreadable": ("{path}: không đọc được: {error}", "{path}: cannot be read: {error}"),
    "secret_required": ("bắt buộc khi dùng kho dữ liệu trên mây", "required with a cloud store"),
    "folder_missing": ("thư mục không tồn tại", "the folder does not exist"),
    "need_moment": ("cần dạng YYYY-MM-DDTHH:MM", "expected YYYY-MM-DDTHH:MM"),
    "hours_week_format": (
        "cần dạng 'mon-fri 08:00-12:00 13:30-17:30'",
        "expected e.g. 'mon-fri 08:00-12:00 13:30-17:30'",
    ),
    "hours_out_of_order": ("giờ không theo thứ tự", "periods out of order"),
    "hours_none": ("không có giờ làm việc nào", "no working hours at all"),
    "column_missing": (
        "Tab '{tab_vi}' thiếu cột bắt buộc '{column_vi}' (chấp nhận: {spellings}).",
        "Tab '{tab_en}' is missing the required column '{column_en}' (accepted: {spellings}).",
    ),
    # Cases: problems in the Customers and Cases tabs.
    "case_id_unknown": ("Mã hồ sơ '{case_id}' không có trong hệ thống", "Case ID '{case_id}' is not in the system"),
    "severity_unreadable": (
        "Mức độ '{value}' không rõ; xếp cấp theo nội dung",
        "Severity '{value}' is unclear; the tier comes from the text",
    ),
    "status_unreadable": (
        "Trạng thái '{value}' không rõ; dùng: {titles}",
        "Status '{value}' is unclear; use one of: {titles}",
    ),
    # Why a due message was not sent: report entries, and notes where staff can act.
    "already_sent": ("Đã gửi trước đó", "Already sent"),
    "outside_hours": (
        "Ngoài giờ được gửi tin ({hours}); sẽ gửi ở lần chạy sau",
        "Outside the sending hours ({hours}); will be sent by a later run",
    ),
    "one_per_day": (
        "Khách đã nhận một tin hôm nay; để lần chạy sau",
        "The customer already gets a message today; left for the next run",
    ),
    "daily_cap": (
        "Đã đủ {cap} tin trong ngày; để lần chạy sau",
        "The daily limit of {cap} messages is reached; left for the next run",
    ),
    "too_late": (
        "Quá hạn hỏi thăm: đến hạn {due}, quá {days} ngày cho phép",
        "Check-in too late: due {due}, past the {days}-day catch-up window",
    ),
    "opted_out": ("Khách đã từ chối nhận tin", "The customer opted out"),
    "invalid_row": ("Dòng có dữ liệu lỗi (xem Ghi chú hệ thống)", "The row has invalid data (see System note)"),
    "channel_unavailable": ("Kênh {channel} chưa được cấu hình", "Channel {channel} is not set up"),
    "zalo_no_template": (
        "Chưa có mẫu ZNS đã duyệt cho loại tin {kind} (thiết lập zalo_templates)",
        "No approved ZNS template for {kind} messages (setting zalo_templates)",
    ),
    "zalo_params_missing": (
        "Tin {kind} thiếu giá trị cho mẫu ZNS và không còn kênh nào khác",
        "The {kind} message lacks a value its ZNS template needs, and no other channel is left",
    ),
    "zalo_no_refresh_token": (
        "Chưa có refresh token Zalo (thiết lập zalo_refresh_token)",
        "No Zalo refresh token yet (setting zalo_refresh_token)",
    ),
    "zalo_refresh_refused": (
        "Zalo từ chối refresh token ({error}); hãy cấp refresh token mới cho OA và đặt vào zalo_refresh_token",
        "Zalo refused the refresh token ({error}); issue a new one for the OA and set it as zalo_refresh_token",
    ),
    "zalo_refresh_waited": (
        "Một lượt chạy khác đang làm mới token Zalo; đã chờ {seconds} giây",
        "Another run is refreshing the Zalo token; waited {seconds} seconds",
    ),
    "reached_by": (
        "đã gửi qua {channel} (sau khi {failed} không tới được)",
        "sent by {channel} (after {failed} could not reach them)",
    ),  # fmt: skip
    "undelivered": (
        "{kind} ngày {date} qua {channel} không tới được máy khách: {detail}",
        "The {kind} of {date} by {channel} did not reach the customer: {detail}",
    ),
    "unconfirmed": (
        "Đã giữ chỗ nhưng chưa xác nhận gửi (có thể do lỗi giữa chừng); nếu khách chưa nhận, nhờ người cài đặt "
        "careloop gửi lại",
        "Reserved but never confirmed (a run may have stopped midway); if the customer did not get it, ask whoever "
        "set careloop up to send it again",
    ),
    "failed_before": (
        "Lần gửi trước thất bại; sửa điều ghi ở đây rồi nhờ người cài đặt careloop gửi lại",
        "An earlier send failed; fix what this note says, then ask whoever set careloop up to send it again",
    ),
    "deferred": (
        "Hết thời gian gửi của lần chạy này; sẽ gửi ở lần chạy sau",
        "The run's time for sending ran out; the next run sends it",
    ),
    "reserved_elsewhere": ("Một lần chạy khác đang gửi tin này", "Another run is sending this message"),
    "queued": ("Đã xếp vào hàng đợi gửi (Pub/Sub)", "Queued for sending (Pub/Sub)"),
    "in_flight": ("Một lần chạy khác đang gửi tin này", "Another run is sending this message"),
    "holiday": (
        "Hôm nay là ngày lễ ({holiday}); sẽ gửi khi văn phòng mở cửa",
        "Today is a public holiday ({holiday}); sent when the office opens",
    ),
    "uncategorised": ("Chưa phân loại", "Uncategorised"),
    "outside_working_hours": (
        "Ngoài giờ làm việc; sẽ gửi khi mở cửa",
        "Outside working hours; sent when the office opens",
    ),
    "no_owner": ("Ma trận leo thang chưa có người phụ trách", "The escalation matrix names no owner"),
    "send_failed": ("Gửi {kind} thất bại: {error}", "Sending the {kind} failed: {error}"),
    "render_failed": ("Mẫu tin lỗi: {error}", "Template error: {error}"),
    # Why a job cannot run.
    "tab_missing": (
        "Không có tab '{vi}' trong bảng tính: có lẽ tab đã bị đổi tên hoặc xóa. Hãy đặt lại tên '{vi}' cho tab danh "
        "sách khách, hoặc khôi phục bảng tính (Tệp > Lịch sử phiên bản)",
        "No '{en}' tab in the sheet: it was probably renamed or deleted. Name the customer list's tab '{en}' "
        "again, or restore the sheet (File > Version history)",
    ),
    "tab_missing_setup": (
        "Không có tab '{vi}': careloop tạo lại tab này ở lần chạy sau; nếu vẫn thiếu, hãy báo người cài đặt careloop",
        "No '{en}' tab: careloop makes it again on its next run; if it stays missing, tell whoever set careloop up",
    ),
    # The Dashboard tab.
    "metrics_period": ("{days} ngày qua", "last {days} days"),
    "updated_at": ("Cập nhật lúc", "Updated at"),
    "metric_cases": ("Số hồ sơ", "Cases"),
    "metric_vouchers_issued": ("Phiếu quà tặng đã phát", "Vouchers issued"),
    "metric_vouchers_used": ("Phiếu quà tặng đã dùng", "Vouchers used"),
    "metric_voucher_rate": ("Tỷ lệ dùng phiếu quà tặng", "Voucher redemption rate"),
    "metric_open": ("Đang mở", "Open"),
    "metric_in_progress": ("Đang xử lý", "In progress"),
    "metric_resolved": ("Đã giải quyết", "Resolved"),
    "metric_escalation_rate": ("Tỷ lệ leo thang", "Escalation rate"),
    # FRT: the median time to the first response; ATHT: the median handling time, open to resolved.
    "metric_frt_business": ("Phản hồi đầu (FRT) cấp {tier}, giờ làm việc", "First response (FRT) tier {tier}, work h"),
    "metric_atht_business": ("Xử lý (ATHT) cấp {tier}, giờ làm việc", "Handling (ATHT) tier {tier}, work hours"),
    "metric_frt_wall": ("Phản hồi đầu (FRT) cấp {tier}, giờ thực", "First response (FRT) tier {tier}, wall h"),
    "metric_atht_wall": ("Xử lý (ATHT) cấp {tier}, giờ thực", "Handling (ATHT) tier {tier}, wall hours"),
    "week_title": ("tuần {day}", "week of {day}"),
    "week_so_far": ("(đang diễn ra)", "(so far)"),
    "metric_surveys_sent": ("Khảo sát đã gửi", "Surveys sent"),
    "metric_response_rate": ("Tỷ lệ phản hồi", "Response rate"),
    "metric_csat": ("CSAT (4–5 điểm)", "CSAT (scores 4–5)"),
    # The survey page, to customers.
    "survey_page_stale": (
        "Trang đã cũ; xin chọn lại và bấm Gửi.",
        "This page is out of date; please choose again and press Send.",
    ),
    "survey_choose_score": ("Xin chọn một mức từ 1 đến 5.", "Please choose 1 to 5."),
    # Sheets, the command line and the demo.
    "sheet_scope_missing": (
        "Không mở được bảng tính {key}: thông tin đăng nhập của careloop thiếu quyền Google Sheets; nếu dùng "
        "gcloud, chạy lại 'gcloud auth application-default login --scopes="
        "https://www.googleapis.com/auth/spreadsheets,https://www.googleapis.com/auth/cloud-platform', hoặc dùng "
        "khóa JSON của tài khoản dịch vụ (sheets_credentials)",
        "Cannot open spreadsheet {key}: careloop's credentials lack the Google Sheets scope; with gcloud, run "
        "'gcloud auth application-default login --scopes="
        "https://www.googleapis.com/auth/spreadsheets,https://www.googleapis.com/auth/cloud-platform' again, or use "
        "a service account's JSON key (sheets_credentials)",
    ),
    "sheet_project_suspended": (
        "Không mở được bảng tính {key}: Google đã tạm ngưng dự án Google Cloud {project}; chủ dự án hãy mở "
        "https://console.cloud.google.com (thanh toán, thông báo vi phạm) để khôi phục, chia sẻ bảng tính không giúp "
        "được",
        "Cannot open spreadsheet {key}: Google has suspended Google Cloud project {project}; the project's owner "
        "should open https://console.cloud.google.com (billing, policy notices) to restore it; sharing the "
        "spreadsheet will not help",
    ),
    "sheet_not_shared": (
        "Không mở được bảng tính {key}: chưa chia sẻ cho {account}; bấm Chia sẻ trong bảng tính và thêm "
        "{account} với quyền Người chỉnh sửa",
        "Spreadsheet {key} is not shared with {account}: press Share in the spreadsheet and add {account} as Editor",
    ),
    "sheet_not_found": (
        "Không tìm thấy bảng tính {key}: kiểm tra đường dẫn trong thiết lập CARELOOP_SHEET",
        "Spreadsheet {key} was not found: check the link in the CARELOOP_SHEET setting",
    ),
    "sheet_api_disabled": (
        "Google Sheets API chưa được bật cho dự án Google Cloud {project}: mở {url}, bấm Bật (Enable), "
        "đợi vài phút rồi chạy lại (bảng tính {key})",
        "The Google Sheets API is not enabled in Google Cloud project {project}: open {url}, press Enable, "
        "wait a few minutes and run again (spreadsheet {key})",
    ),
    "sheet_is_xlsx": (
        "Bảng tính {key} là tệp Excel (.xlsx) lưu trên Drive: mở nó, chọn Tệp → Lưu dưới dạng Google Trang tính, "
        "rồi dùng đường dẫn của bản mới",
        "Spreadsheet {key} is an Excel file (.xlsx) kept in Drive: open it, choose File → Save as Google Sheets, "
        "and use the new copy's link",
    ),
    "sheet_unauthenticated": (
        "Google không chấp nhận thông tin đăng nhập cho bảng tính {key}: kiểm tra CARELOOP_SHEETS_CREDENTIALS",
        "Google did not accept the credentials for spreadsheet {key}: check CARELOOP_SHEETS_CREDENTIALS",
    ),
    "sheet_quota": (
        "Google Sheets hết hạn mức cho {key} sau {seconds} giây thử lại; lần chạy sau sẽ thử tiếp",
        "quota exhausted for {key} after {seconds} s of retries; the next run will try again",
    ),
    "tab_not_in": ("Tab '{vi}' không có trong {where}", "Tab '{en}' is not in {where}"),
    "workbook_missing": ("Không tìm thấy tệp", "no such workbook"),
    "workbook_unreadable": ("Không mở được", "cannot open"),
    "workbook_unwritable": ("Không ghi được {path} (đang mở trong Excel?)", "cannot write {path} (open in Excel?)"),
    "matrix_no_tier1": ("Phụ trách cấp 1 trống", "no tier 1 owner"),
    "matrix_row_unusable": ("Dòng {row} của tab '{vi}' không dùng được", "row {row} of the '{en}' tab is unusable"),
    "matrix_no_default": (
        "Tab '{vi}' cần một dòng Loại vấn đề '*' dùng được (người phụ trách là email, số giờ > 0)",
        "the '{en}' tab needs a usable '*' row (owners as email addresses, hours above 0)",
    ),
    "settings": ("Thiết lập", "settings"),
    "sheet": ("Bảng tính", "sheet"),
    "store": ("Kho dữ liệu", "store"),
    "templates": ("Mẫu tin", "templates"),
    "workbook": ("Bảng tính", "workbook"),
    "outbox": ("Hộp thư đi", "outbox"),
    "check_sheet": (
        "{customers} khách; {problems} vấn đề; cột: {columns}",
        "{customers} customers; {problems} problems; columns: {columns}",
    ),
    "setup_changes": ("{count} thay đổi", "{count} changes"),
    "setup_ready": ("đã sẵn sàng, không thay đổi gì", "ready, nothing changed"),
    "retry_pending": (
        "{count} tin chưa xác nhận hoặc lỗi; 'careloop retry KEY' hoặc '--all' để gửi lại ở lần chạy sau",
        "{count} unconfirmed or failed; 'careloop retry KEY' or '--all' to resend on the next run",
    ),
    "help_careloop": ("careloop: chăm sóc khách hàng từ một bảng tính", "customer care from a spreadsheet"),
    "help_config": ("careloop.toml (mặc định: ./careloop.toml nếu có)", "default: ./careloop.toml if present"),
    "help_run": ("chạy một việc", "run a job"),
    "help_now": (
        "chạy như thể lúc YYYY-MM-DDTHH:MM (múi giờ doanh nghiệp)",
        "run as of YYYY-MM-DDTHH:MM (business time zone)",
    ),
    "help_json": ("in báo cáo JSON", "print the JSON report"),
    "help_dry_run": ("lập kế hoạch, không gửi", "plan and render, send nothing"),
    "help_preview": ("xem trước tin sẽ gửi", "render what would be sent to a file"),
    "help_status": (
        "tình trạng từng việc, từ các lần chạy đã ghi (mã thoát 1 khi có việc lỗi hoặc trễ)",
        "each job's health from the runs recorded (exit 1 when a job is failing or late)",
    ),
    "help_check": ("kiểm tra thiết lập, bảng tính, mẫu tin", "check settings, sheet, templates"),
    "help_setup": ("chuẩn bị bảng tính", "add careloop's tabs, columns, checkboxes, dropdowns"),
    "help_retry": ("gửi lại tin chưa xác nhận", "release unconfirmed or failed messages"),
    "help_force": (
        "cũng gửi lại tin có thể đã đến khách (máy chủ đã nhận nhưng mất trả lời)",
        "also resend messages the customer may have (the server took them, its answer was lost)",
    ),
    "retry_in_doubt": (
        "{count} tin có thể đã đến khách (máy chủ thư đã nhận nhưng mất trả lời); kiểm tra rồi dùng "
        "'careloop retry KEY --force' nếu chắc chắn chưa đến",
        "{count} may have reached the customer (the mail server took them, its answer was lost); check, then use "
        "'careloop retry KEY --force' if you are sure they did not",
    ),
    "retry_needs_force": (
        "có thể đã đến khách; thêm --force để gửi lại",
        "may have reached the customer; add --force to resend",
    ),
    "help_demo": ("chạy thử với dữ liệu mẫu", "run on a sample workbook"),
    "preview_count": ("{count} tin sẽ gửi", "{count} messages would be sent"),
    "simulated": ("Giả lập", "simulated"),
    "demo_low_score": ("chọn 2/5 trên trang khảo sát", "taps 2/5 on the survey page"),
    "demo_no_answer": ("chưa ai phản hồi", "no one has answered yet"),
    "replies_heard": ("phản hồi nhận được (tab Phản hồi)", "replies heard (Replies tab)"),
    "heard_reply": ("trả lời", "replies"),
    "heard_complaint": ("khiếu nại", "complaints"),
    "heard_refusal": ("từ chối nhận tin", "refusals"),
    "heard_survey_answer": ("điểm đánh giá", "survey scores"),
    "heard_bounce": ("thư bị trả lại", "bounces"),
    "heard_auto_reply": ("trả lời tự động", "auto-replies"),
    "heard_zalo_linked": ("sự kiện Zalo nhận diện khách", "Zalo events naming a customer"),
    "heard_zalo_other": ("sự kiện Zalo khác", "other Zalo events"),
    "heard_unconfirmed": ("chờ nhân viên xác nhận", "waiting for staff to confirm"),
    "heard_confirmed": ("nhân viên đã xác nhận", "confirmed by staff"),
    "heard_cancellation": ("xin hủy hẹn hoặc đơn", "cancellations for staff"),
    "heard_unreadable": ("thư không đọc được", "unreadable messages"),
    "heard_erased": ("từ khách đã xóa dữ liệu", "from erased customers"),
    "demo_replies": (
        "khách trả lời (thư vào thư mục demo/inbox, đánh giá ZNS qua webhook Zalo)",
        "customers answer (mail into demo/inbox, a ZNS rating through the Zalo webhook)",
    ),
    "demo_next_followup": (
        "Lần chạy followup tiếp theo ghi vào dòng của khách (tab Khách hàng):",
        "The next follow-up run writes into the customers' rows (Customers tab):",
    ),
    "demo_opted_out": ("Từ chối nhận tin: {ticked} — không gửi tin nào nữa", "Opt out: {ticked} — no further messages"),
    "demo_see_columns": ("xem cột 'Liên hệ gần nhất', 'Ghi chú hệ thống'", "see the system columns"),
    "demo_eml_files": ("tệp .eml", "files"),
    "demo_phone_files": (
        "{sms} tin SMS (.sms.txt) và {zns} tin Zalo ZNS (.zns.json) qua máy chủ thử cục bộ",
        "{sms} SMS (.sms.txt) and {zns} Zalo ZNS messages (.zns.json) through local stand-in servers",
    ),
    "demo_nothing_new": (
        "Không có tin mới: lần chạy này không gửi lại những gì đã gửi (xem lý do ở trên). "
        "Chạy lại từ đầu: careloop demo --fresh",
        "Nothing new: this run re-sends nothing already sent (reasons above). Start over: careloop demo --fresh",
    ),
    # Run reports, as the command prints them.
    "report_followup": (
        "Việc {job} lúc {now}: đã gửi {sent}, bỏ qua {skipped}, lỗi {failed}, chưa rõ {unknown}, "
        "vấn đề trên dòng {problems}",
        "{job} at {now}: sent {sent}, skipped {skipped}, failed {failed}, unknown {unknown}, row problems {problems}",
    ),
    "report_dry_run": (" (thử, sẽ gửi {planned})", " (dry run, would send {planned})"),
    "report_escalate": (
        "Việc escalate lúc {now}: mở {opened} hồ sơ, leo thang {escalated}, cập nhật {synced}, "
        "báo cho người phụ trách {notified}, vấn đề {problems}",
        "escalate at {now}: opened {opened}, escalated {escalated}, synced {synced}, notified {notified}, "
        "problems {problems}",
    ),
    "write_back_failed": ("Không ghi được vào bảng tính: {error}", "Could not write to the sheet: {error}"),
    "write_back_missed": ("Không tìm thấy dòng để ghi: {rows}", "Rows not found for writing: {rows}"),
    "row": ("dòng", "row"),
    "tier": ("cấp", "tier"),
    "first_response_due": ("hạn phản hồi", "first response due"),
    # The Health tab and the alerts: one row a job, one email a problem a day.
    "health_job_followup": ("Lời chúc và hỏi thăm", "Wishes and check-ins"),
    "health_job_escalate": ("Hồ sơ và leo thang", "Cases and escalation"),
    "health_job_digest": ("Báo cáo tuần", "Weekly digest"),
    "health_job_send_batch": ("Hàng đợi gửi", "Send queue"),
    "health_ok": ("Tốt", "OK"),
    "health_errors": ("Có lỗi", "Errors"),
    "health_could_not_run": ("Không chạy được", "Could not run"),
    "health_late": ("Trễ", "Late"),
    "health_all_well": ("Mọi việc bình thường", "All is well"),
    "health_messages": (
        "{count} tin lỗi hoặc chưa rõ đã gửi chưa; xem cột 'Ghi chú hệ thống' của khách, sửa điều ghi ở đó, "
        "rồi nhờ người cài đặt careloop gửi lại",
        "{count} messages failed or may not have gone out; see the customers' 'System note' column, fix what "
        "it says, then ask whoever set careloop up to resend them",
    ),
    "health_write_back": (
        "Đã gửi nhưng không ghi lại được vào bảng tính: {error}",
        "Sent, but the sheet could not be written: {error}",
    ),
    "health_provider": (
        "{channel} từ chối chính careloop (mật khẩu, khóa hay mã truy cập không còn đúng): {error}; hãy cấp lại "
        "trong cài đặt",
        "{channel} refuses careloop itself (a password, key or token no longer right): {error}; set a new one "
        "in the settings",
    ),
    "health_did_not_run": (
        "Chưa chạy xong hôm nay (lần chạy tốt gần nhất: {last}); lẽ ra xong trước {due}. Hôm nay khách chưa nhận "
        "lời chúc, tin hỏi thăm: hãy báo người cài đặt careloop kiểm tra lịch chạy",
        "Has not completed today (last good run: {last}); it was due by {due}. Customers have not had today's "
        "wishes and check-ins: tell whoever set careloop up to check its schedule",
    ),
    "health_never": ("chưa từng", "never"),
    "demo_broken_run": (
        "một lần chạy với bảng tính thiếu tab 'Khách hàng' ({workbook}): không chạy được, tab Tình trạng ghi lại, "
        "thư báo cho {to} nằm trong hộp thư đi",
        "a run against a workbook missing its Customers tab ({workbook}): it could not run, the Health tab says "
        "so, and the alert to {to} is in the outbox",
    ),
    "health_escalation_late": (
        "Không chạy trong giờ làm việc từ {last} (lẽ ra 15 phút một lần); hãy xem Cloud Scheduler",
        "Has not run in working hours since {last} (it runs every 15 minutes); check Cloud Scheduler",
    ),
    "status_header": (
        "Việc | Lần chạy gần nhất | Kết quả | Đã gửi | Lỗi | Chi tiết",
        "Job | Last run | Result | Sent | Failed | Detail",
    ),
    "status_nothing": ("Chưa có lần chạy nào được ghi lại", "No run has been recorded yet"),
    "health_on_demand": ("khi có hàng đợi", "when queued"),
    # The Settings tab: what each setting means, in staff words, with the forms it takes.
    "setting_business_name": ("Tên doanh nghiệp, ký dưới mỗi tin nhắn", "The business's name, signing every message"),
    "setting_send_hours": (
        "Giờ được gửi tin cho khách, dạng HH:MM-HH:MM (trong 07:00-22:00 theo Nghị định 91/2020)",
        "When messages may go to customers, as HH:MM-HH:MM (within 07:00-22:00, Decree 91/2020)",
    ),
    "setting_catchup_days": (
        "Tin hỏi thăm bị lỡ vẫn gửi trong bấy nhiêu ngày (0-30)",
        "A missed check-in is still sent within this many days (0-30)",
    ),
    "setting_daily_cap": (
        "Số tin gửi tối đa mỗi ngày; 0 là không giới hạn",
        "At most this many messages a day; 0 for no limit",
    ),
    "setting_default_language": (
        "Ngôn ngữ cho khách chưa ghi Ngôn ngữ: vi hoặc en",
        "The language of customers whose Language is blank: vi or en",
    ),
    "setting_channel_order": (
        "Thứ tự kênh thử cho khách chưa ghi Kênh, ngăn bằng dấu phẩy: zalo, sms, email",
        "Channels tried, in order, for customers whose Channel is blank, separated by commas: zalo, sms, email",
    ),
    "setting_voucher_value": (
        "Quà sinh nhật như khách đọc (ví dụ: giảm 15%); để trống là không tặng phiếu",
        "The birthday voucher as customers read it (e.g. 15% off); blank for no vouchers",
    ),
    "setting_voucher_days": (
        "Phiếu quà tặng dùng được bấy nhiêu ngày (1-365)",
        "A voucher is valid this many days (1-365)",
    ),
    "setting_survey_days": (
        "Đường dẫn khảo sát dùng được bấy nhiêu ngày (1-365)",
        "A survey link works this many days (1-365)",
    ),
    "setting_survey_throttle_days": (
        "Không gửi khảo sát mới cho cùng một khách trong bấy nhiêu ngày (0-365)",
        "No new survey to the same customer within this many days (0-365)",
    ),
    "setting_csat_threshold": (
        "Điểm đánh giá bằng hoặc dưới mức này (0-5) mở hồ sơ",
        "A score at or below this (0-5) opens a case",
    ),
    "setting_survey_nps": (
        "Hỏi thêm câu 0-10 'có giới thiệu cho người quen không' (NPS): TRUE hoặc FALSE",
        "Also ask the 0-10 'would you recommend us' question (NPS): TRUE or FALSE",
    ),
    "setting_working_hours": (
        "Giờ làm việc, tính hạn hồ sơ và giờ báo người phụ trách, ví dụ: "
        "mon-fri 08:00-12:00 13:30-17:30; sat 08:00-12:00",
        "Working hours, for case deadlines and when owners are told, e.g. "
        "mon-fri 08:00-12:00 13:30-17:30; sat 08:00-12:00",
    ),
    "setting_tier3_phrases": (
        "Cụm từ làm khiếu nại thành cấp 3, ngăn bằng |; để trống là dùng danh sách có sẵn",
        "Phrases that make a complaint tier 3, separated by |; blank for the built-in list",
    ),
    "setting_manager_emails": (
        "Email người quản lý nhận báo cáo tuần và cảnh báo, ngăn bằng dấu phẩy; để trống là người phụ trách "
        "cấp 3 của dòng '*'",
        "The managers' emails for the weekly digest and alerts, separated by commas; blank for the tier-3 owner "
        "of the '*' row",
    ),
    "setting_invalid": (
        "'{value}' không dùng được ({error}). Ví dụ đúng: {example}. careloop đang dùng giá trị đã cài: {used}",
        "'{value}' cannot be used ({error}). A right value: {example}. careloop uses the deployed value: {used}",
    ),
    "setting_unknown": (
        "'{name}' không phải cài đặt careloop đọc từ tab này; các cài đặt: {names}",
        "'{name}' is not a setting careloop reads from this tab; the settings: {names}",
    ),
    "setting_deployed_only": (
        "'{name}' chỉ người cài đặt careloop đổi được (biến môi trường hoặc careloop.toml), không đổi ở đây",
        "'{name}' is changed only where careloop is deployed (environment or careloop.toml), not here",
    ),
    "setting_too_many": (
        "{count} địa chỉ: careloop chỉ dùng {limit} địa chỉ đầu tiên (giới hạn để bảng tính không gửi thư cho "
        "người ngoài); hãy bớt đi",
        "{count} addresses: careloop uses the first {limit} only (a limit, so the sheet cannot email strangers); "
        "remove some",
    ),
    "name_too_long": (
        "dài {count} ký tự, tối đa {limit} (tin SMS và Zalo phải chứa được)",
        "{count} characters long, at most {limit} (SMS and Zalo messages must hold it)",
    ),
    "setting_twice": (
        "'{name}' đã có ở dòng {row}; dòng này không được dùng",
        "'{name}' is already in row {row}; this row is not used",
    ),
    "origin_default": ("mặc định", "default"),
    "reply_bounce": (
        "thư không tới được {address} ({status}): ghi vào dòng của khách, careloop ngừng gửi email tới địa chỉ "
        "này. Khi địa chỉ dùng được trở lại, tick 'Xác nhận'",
        "the email could not reach {address} ({status}): noted on the customer's row, careloop sends no more email "
        "there. When the address works again, tick 'Confirm'",
    ),
    "reply_unconfirmed": (
        "careloop chưa làm gì: {why}. Nếu đúng là khách gửi, tick 'Xác nhận' để careloop {would}",
        "careloop did nothing: {why}. If the customer really sent it, tick 'Confirm' and careloop will {would}",
    ),
    "doubt_sender": (
        "chưa chắc ai gửi (thư không trả lời tin careloop gửi, máy chủ thư chưa xác thực người gửi)",
        "it cannot be sure who sent it (not an answer to careloop's message, sender not authenticated by the "
        "mail server)",
    ),
    "doubt_many": (
        "địa chỉ này đã gửi thay cho một khách khác trong cùng lần chạy",
        "this address already spoke for another customer in the same run",
    ),
    "would_opt_out": ("ghi nhận khách từ chối nhận tin", "record that the customer refuses messages"),
    "would_case": ("mở hồ sơ khiếu nại", "open a complaint case"),
    "would_score": ("ghi đánh giá {score}/5 vào khảo sát", "record the {score}/5 rating as the survey's answer"),
    "would_bounce": ("ngừng gửi email tới {address}", "stop emailing {address}"),
    "reply_confirmed": ("nhân viên xác nhận lúc {at}: {done}", "confirmed by staff at {at}: {done}"),
    "reply_bounce_cleared": (
        "nhân viên xác nhận lúc {at}: địa chỉ dùng được trở lại, careloop gửi email lại",
        "confirmed by staff at {at}: the address works again, careloop emails it again",
    ),
    "reply_confirm_gone": (
        "nhân viên xác nhận lúc {at}, nhưng khách không còn trong tab Khách hàng (hoặc đã xóa dữ liệu): không làm gì",
        "confirmed by staff at {at}, but the customer is no longer in the Customers tab (or was erased): nothing done",
    ),
    "case_erased": ("đã xóa dữ liệu theo yêu cầu của khách", "the customer's data was erased on request"),
    "reply_erased": (
        "thư từ một khách đã xóa dữ liệu theo yêu cầu: careloop không đọc, không lưu; xem trong hộp thư",
        "a message from a customer whose data was erased on request: careloop neither reads nor keeps it; see the "
        "mailbox",
    ),
    "reply_unreadable": (
        "thư không đọc được ({reason}; {size} byte): careloop bỏ qua, nhân viên xem trong hộp thư",
        "a message careloop cannot read ({reason}; {size} bytes): skipped, for staff to see in the mailbox",
    ),
    "reply_cancellation": (
        "khách xin hủy hẹn hoặc đơn: nhân viên xử lý giúp (không phải từ chối nhận tin)",
        "the customer asks to cancel an appointment or order: for staff (not a refusal of messages)",
    ),
    "health_matrix": (
        "{count} khiếu nại đang chờ vì tab 'Ma trận leo thang' chưa có người phụ trách: hãy điền tên và email người "
        "phụ trách cấp 1–3 ở dòng '*'; lần chạy sau mở hồ sơ, không mất gì",
        "{count} complaints are waiting: the 'Escalation matrix' tab has no owners yet. Fill in the tier 1–3 owners' "
        "names and emails on its '*' row; the next run opens their cases, nothing is lost",
    ),
    "health_settings": (
        "tab Cài đặt có giá trị không dùng được ({names}): xem cột Ghi chú hệ thống ở đó; careloop đang dùng giá trị "
        "đã cài",
        "the Settings tab has values careloop cannot use ({names}): see their System note there; careloop uses the "
        "deployed values",
    ),
    "health_unreadable": (
        "{count} thư không đọc được đã bỏ qua (xem tab Phản hồi và hộp thư)",
        "{count} messages could not be read and were skipped (see the Replies tab and the mailbox)",
    ),
    "reply_auto": ("thư trả lời tự động: chỉ đếm", "an automatic reply: counted only"),
    "reply_unmatched": (
        "không tìm thấy khách có email này: nhân viên xem giúp",
        "no customer has this address: for staff to look at",
    ),
    "reply_refusal": (
        "khách từ chối nhận tin: đã ghi, không gửi gì nữa",
        "the customer refused messages: recorded, nothing more is sent",
    ),
    "reply_case": ("khiếu nại: mở hồ sơ {case_id}", "a complaint: case {case_id} opened"),
    "reply_noted": ("đã ghi lại", "noted"),
    "reply_survey": ("đánh giá {score}/5: ghi vào khảo sát", "a {score}/5 rating: recorded as the survey's answer"),
    "reply_survey_low": (
        "đánh giá {score}/5: ghi vào khảo sát, mở hồ sơ {case_id}",
        "a {score}/5 rating: recorded as the survey's answer, case {case_id} opened",
    ),
    "reply_survey_full": ("khảo sát đã đủ số lần trả lời: chỉ ghi lại", "the survey has all its answers: noted only"),
    "email_bounced": (
        "Email {address} bị trả lại (không tồn tại): careloop không gửi email tới địa chỉ này nữa; hãy hỏi khách "
        "địa chỉ khác và sửa ô Email",
        "Email to {address} bounced (no such mailbox): careloop sends no more email there; ask the customer for "
        "another address and change the Email cell",
    ),
    "test_sent": ("Đã gửi thử lúc {at} tới {to}", "Test sent at {at} to {to}"),
    "test_not_sent": ("Chưa gửi thử được: {why}", "Test not sent: {why}"),
    "test_first_line": (
        "THƯ GỬI THỬ dòng {row} của tab Mẫu tin nhắn, gửi cho nhân viên với một khách mẫu; các liên kết chỉ là mẫu",
        "A TEST of row {row} of the Messages tab, sent to staff with a sample customer; its links are samples",
    ),
    "test_waiting": (
        "Chờ lần chạy sau: mỗi lần chạy gửi thử tối đa {limit} dòng",
        "Waiting for the next run: a run sends at most {limit} test rows",
    ),
    "test_failed": (
        "Gửi thử chưa được ({error}); lần chạy sau sẽ thử lại",
        "The test could not be sent ({error}); the next run tries again",
    ),
    "test_row_unknown": (
        "dòng chưa ghi rõ Loại tin, Ngôn ngữ và Kênh",
        "the row does not say its Kind, Language and Channel",
    ),
    "test_no_manager": (
        "chưa có email người quản lý (cài đặt manager_emails, hoặc người phụ trách cấp 3 của dòng '*')",
        "no manager's email yet (the manager_emails setting, or the tier-3 owner of the '*' row)",
    ),
    "test_sms_subject": ("Tin SMS {kind} ({lang})", "SMS {kind} ({lang})"),
    "test_sms_body": (
        "Khách sẽ nhận tin SMS này:\n\n{text}\n\nĐộ dài: {length} ký tự {encoding}, {segments} tin SMS.",
        "The customer will receive this SMS:\n\n{text}\n\nLength: {length} {encoding} characters, {segments} SMS "
        "segment(s).",
    ),
    "set_up": ("careloop đã thêm vào bảng tính", "careloop added to the sheet"),
    "settings_tab_row": ("tab Cài đặt, dòng {row}", "Settings tab, row {row}"),
    "tab_appeared": (
        "tab '{title}' vừa được thêm trong lúc careloop chạy; lần chạy sau sẽ ghi",
        "the '{title}' tab was added while careloop ran; the next run writes it",
    ),
    "business_settings": (
        "Cài đặt của doanh nghiệp (giá trị đang dùng, lấy từ đâu)",
        "the business's settings (the value in force, where it came from)",
    ),
    "origin_tab": ("tab Cài đặt", "Settings tab"),
    # Words used inside other sentences.
    "words_checkin": ("tin hỏi thăm sau mua ngày {date}", "the check-in after the purchase of {date}"),
    "words_birthday": ("lời chúc sinh nhật {year}", "the {year} birthday wish"),
    "words_case_survey": ("khảo sát sau khi xử lý hồ sơ {case_id}", "the survey after case {case_id}"),
    "words_message": ("một tin careloop đã gửi", "a message careloop sent"),
    "kind_message": ("một tin", "a message"),
    "kind_birthday": ("lời chúc sinh nhật", "birthday wish"),
    "kind_checkin": ("tin hỏi thăm sau mua", "check-in"),
    "kind_case_survey": ("khảo sát sau khi xử lý yêu cầu", "survey after a resolved case"),
    "last_contact": ("{date} – {kind} ({channel})", "{date} – {kind} ({channel})"),
}


def say(code: str, language: str = "vi", **params: object) -> str:
    vi, en = MESSAGES[code]
    return (en if language == "en" else vi).format(**params)


class Bilingual(str):
    """Vietnamese, then English, as one text — and which message it is, so a reader of one language
    (an alert, the Health tab) can be told it in theirs alone (`in_language`)."""

    code: str
    params: dict[str, object]

    def __new__(cls, code: str, params: dict[str, object]) -> Bilingual:
        text = super().__new__(cls, f"{say(code, 'vi', **params)} / {say(code, 'en', **params)}")
        text.code, text.params = code, params
        return text


def both(code: str, **params: object) -> str:
    """Vietnamese, then English, for messages read by people of either language (errors, logs)."""
    return Bilingual(code, params)


def in_language(text: object, language: str) -> str:
    """A message in one language when it was made by `both` (an error's words); as it is otherwise."""
    return say(text.code, language, **text.params) if isinstance(text, Bilingual) else str(text)


# The five answers of a survey, as customers read them on the page and in the message's buttons.
SCORE_LABELS = {
    "vi": ("Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"),
    "en": ("Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"),
}


def score_labels(language: str) -> tuple[str, ...]:
    return SCORE_LABELS.get(language, SCORE_LABELS["vi"])
