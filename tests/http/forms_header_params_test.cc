#include "http/forms/header_params.h"

#include <gtest/gtest.h>

#include "http/forms/multipart_boundary.h"

namespace koban::http::forms {
namespace {

TEST(FormsHeaderParams, ParsesTypeAndParameters) {
  auto v = parse_header_value("Form-Data; NAME=\"file\"; filename=\"a \\\"b\\\".txt\"; size=12");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value, "form-data");
  ASSERT_NE(v->param("name"), nullptr);
  EXPECT_EQ(*v->param("name"), "file");
  EXPECT_EQ(*v->param("filename"), "a \"b\".txt");
  EXPECT_EQ(*v->param("size"), "12");
  EXPECT_EQ(v->param("missing"), nullptr);

  auto ct = parse_header_value("multipart/form-data ; boundary=----WebKitFormBoundaryX;");
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(ct->value, "multipart/form-data");
  EXPECT_EQ(*ct->param("boundary"), "----WebKitFormBoundaryX");
}

TEST(FormsHeaderParams, KeepsWindowsBackslashesAndRawUtf8) {
  auto v = parse_header_value("form-data; name=\"f\"; filename=\"C:\\Users\\a\\届出.pdf\"");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v->param("filename"), "C:\\Users\\a\\届出.pdf");
}

TEST(FormsHeaderParams, RejectsMalformedValues) {
  for (const char* bad : {"", ";a=b", "form-data; name", "form-data; name=", "form-data; name=\"x",
                          "form-data; =x", "form-data name=x", "text/; a=b", "form-data; a=b c",
                          "form-data; name=\"a\x01\"", "form-data; name=\"a\"; NAME=\"b\""}) {
    EXPECT_FALSE(parse_header_value(bad).ok()) << bad;
  }
}

TEST(FormsHeaderParams, DecodesExtValues) {
  EXPECT_EQ(decode_ext_value("UTF-8''%E5%B1%8A%E5%87%BA.pdf").value_or(""), "届出.pdf");
  EXPECT_EQ(decode_ext_value("utf-8'ja'a%20b.txt").value_or(""), "a b.txt");
  EXPECT_EQ(decode_ext_value("iso-8859-1'en'%A3%20rates").value_or(""), "£ rates");
  EXPECT_FALSE(decode_ext_value("UTF-8'%E5.pdf").ok());            // one quote only
  EXPECT_FALSE(decode_ext_value("Shift_JIS''%82%A0").ok());        // unsupported charset
  EXPECT_FALSE(decode_ext_value("UTF-8''%E5%B1").ok());            // truncated character
  EXPECT_FALSE(decode_ext_value("UTF-8''%C0%AF").ok());            // overlong
  EXPECT_FALSE(decode_ext_value("UTF-8''%4").ok());
  EXPECT_FALSE(decode_ext_value("UTF-8''a b").ok());               // space is not an attr-char
}

TEST(FormsBoundary, ExtractsAndValidates) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc").value_or(""), "abc");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b'()+_,-./:=?\"").value_or(""),
            "a b'()+_,-./:=?");
  const auto err = [](const char* ct) {
    auto r = multipart_boundary(ct);
    return r.ok() ? ErrorCode::internal : r.error().code;
  };
  EXPECT_EQ(err("multipart/form-data"), ErrorCode::invalid_argument);  // missing boundary
  EXPECT_EQ(err("multipart/form-data; boundary="), ErrorCode::invalid_argument);
  EXPECT_EQ(err("multipart/form-data; boundary=\"\""), ErrorCode::invalid_argument);
  EXPECT_EQ(err("multipart/form-data; boundary=\"ends with space \""), ErrorCode::invalid_argument);
  EXPECT_EQ(err("multipart/form-data; boundary=\"semi;colon\""), ErrorCode::invalid_argument);
  EXPECT_EQ(err("multipart/mixed; boundary=abc"), ErrorCode::invalid_argument);
  EXPECT_EQ(err("application/x-www-form-urlencoded"), ErrorCode::invalid_argument);
  EXPECT_EQ(err("multipart/form-data; boundary=a; boundary=b"), ErrorCode::invalid_argument);
  EXPECT_TRUE(multipart_boundary("multipart/form-data; boundary=" + std::string(70, 'x')).ok());
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')).ok());
}

}  // namespace
}  // namespace koban::http::forms
