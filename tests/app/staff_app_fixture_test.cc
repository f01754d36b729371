// The shared staff-page fixture itself: the demo force can log in, the dashboard answers, a
// request without a session goes to the login form, and a POST without CSRF is refused.
#include "staff_app_fixture.h"

namespace koban::app::testing {
namespace {

class StaffAppFixture : public StaffAppTest {
  void add_routes(http::Router&) override {}
};

TEST_F(StaffAppFixture, DemoPeopleLogInAndSeeTheirDashboard) {
  EXPECT_EQ(get("", "/admin/").status, 303);
  const auto s = login("koho.kacho");
  ASSERT_FALSE(s.empty());
  auto dash = get(s, "/admin/");
  EXPECT_EQ(dash.status, 200);
  EXPECT_NE(dash.body.find(person("koho.kacho").display_name), std::string::npos);
  EXPECT_FALSE(csrf(s).empty());
  EXPECT_EQ(post(s, "/admin/logout", "csrf=wrong").status, 403);
  EXPECT_EQ(get(s, "/admin/").status, 200);  // the refused logout left the session alive
  EXPECT_FALSE(audit_rows("auth.login").empty());
}

}  // namespace
}  // namespace koban::app::testing
