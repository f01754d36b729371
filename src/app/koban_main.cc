#include <cstdio>
int main() { std::puts("koban " KOBAN_VERSION); return 0; }
