/* Module identification (keeps the module library non-empty until it grows). */
const char *replay_module_name(void);
const char *replay_module_name(void)
{
	return "replay";
}
