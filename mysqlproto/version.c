/* Module identification (keeps the module library non-empty until it grows). */
const char *mysqlproto_module_name(void);
const char *mysqlproto_module_name(void)
{
	return "mysqlproto";
}
