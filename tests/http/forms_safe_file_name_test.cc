#include "http/forms/safe_file_name.h"

#include <gtest/gtest.h>

#include <string>

#include "http/forms/utf8.h"

namespace koban::http::forms {
namespace {

TEST(FormsSafeFileName, StripsDirectories) {
  EXPECT_EQ(safe_file_name("../../etc/passwd"), "passwd");
  EXPECT_EQ(safe_file_name("C:\\Users\\山田\\届出書.pdf"), "届出書.pdf");
  EXPECT_EQ(safe_file_name("a/b\\c/d.txt"), "d.txt");
  EXPECT_EQ(safe_file_name("dir/"), "file");
  EXPECT_EQ(safe_file_name("/"), "file");
}

TEST(FormsSafeFileName, DropsControlAndInvisibleCharacters) {
  EXPECT_EQ(safe_file_name(std::string("a\0b\r\n\t.txt", 10)), "ab.txt");
  EXPECT_EQ(safe_file_name("x\x7F\xC2\x85y.txt"), "xy.txt");              // DEL and C1 NEL
  EXPECT_EQ(safe_file_name("photo\u202Egpj.exe"), "photogpj.exe");       // RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(safe_file_name("a\u200Bb\uFEFF.txt"), "ab.txt");
  EXPECT_EQ(safe_file_name("a<b>c:d\"e|f?g*h.txt"), "a_b_c_d_e_f_g_h.txt");
}

TEST(FormsSafeFileName, DotsSpacesAndEmptiness) {
  EXPECT_EQ(safe_file_name(".htaccess"), "htaccess");
  EXPECT_EQ(safe_file_name("..."), "file");
  EXPECT_EQ(safe_file_name(".."), "file");
  EXPECT_EQ(safe_file_name(""), "file");
  EXPECT_EQ(safe_file_name("   "), "file");
  EXPECT_EQ(safe_file_name("\u3000報告書.docx\u3000"), "報告書.docx");   // ideographic spaces
  EXPECT_EQ(safe_file_name("name.txt. . "), "name.txt");
  EXPECT_EQ(safe_file_name(std::string("\x01\x02", 2)), "file");
}

TEST(FormsSafeFileName, ReservedWindowsNames) {
  EXPECT_EQ(safe_file_name("CON"), "_CON");
  EXPECT_EQ(safe_file_name("con.txt"), "_con.txt");
  EXPECT_EQ(safe_file_name("Lpt1.tar.gz"), "_Lpt1.tar.gz");
  EXPECT_EQ(safe_file_name("nul .txt"), "_nul .txt");
  EXPECT_EQ(safe_file_name("COM9"), "_COM9");
  EXPECT_EQ(safe_file_name("COM\u00B9"), "_COM\u00B9");
  EXPECT_EQ(safe_file_name("CONSOLE.txt"), "CONSOLE.txt");
  EXPECT_EQ(safe_file_name("COM10"), "COM10");
  EXPECT_EQ(safe_file_name("aux/readme"), "readme");
}

TEST(FormsSafeFileName, KeepsJapaneseAndMendsBadBytes) {
  EXPECT_EQ(safe_file_name("落とし物の届出（令和8年）.pdf"), "落とし物の届出（令和8年）.pdf");
  EXPECT_EQ(safe_file_name("ﾃｽﾄ.txt"), "ﾃｽﾄ.txt");
  EXPECT_EQ(safe_file_name("\x82\xA0.txt"), "__.txt");   // Shift_JIS bytes from an old client
  EXPECT_EQ(safe_file_name("a\xC0\xAF.txt"), "a__.txt");  // overlong '/' is not a slash
}

TEST(FormsSafeFileName, LimitsLengthInCharactersKeepingTheExtension) {
  std::string long_name;
  for (int i = 0; i < 150; ++i) long_name += "あ";
  const std::string cut = safe_file_name(long_name + ".pdf", 100);
  EXPECT_TRUE(is_valid_utf8(cut));
  EXPECT_EQ(utf8_length(cut), 100u);
  EXPECT_EQ(cut.substr(cut.size() - 4), ".pdf");
  EXPECT_EQ(cut.size(), 96u * 3 + 4);   // cut by characters, never inside one

  const std::string no_ext = safe_file_name(long_name, 20);
  EXPECT_EQ(utf8_length(no_ext), 20u);

  // An "extension" too long to be one is cut like the rest.
  const std::string odd = safe_file_name("a." + std::string(200, 'x'), 30);
  EXPECT_EQ(utf8_length(odd), 30u);

  // A reserved name that needs the '_' still fits.
  EXPECT_EQ(safe_file_name("CON.eeeeee", 10), "_CO.eeeeee");
}

}  // namespace
}  // namespace koban::http::forms
