/* Names of event and column types, as mysqlbinlog spells them. */
#include "binlog/binlog.h"

const char *bl_event_type_name(unsigned type)
{
	switch (type) {
	case BL_UNKNOWN_EVENT: return "Unknown";
	case BL_START_EVENT_V3: return "Start_v3";
	case BL_QUERY_EVENT: return "Query";
	case BL_STOP_EVENT: return "Stop";
	case BL_ROTATE_EVENT: return "Rotate";
	case BL_INTVAR_EVENT: return "Intvar";
	case BL_LOAD_EVENT: return "Load";
	case BL_SLAVE_EVENT: return "Slave";
	case BL_CREATE_FILE_EVENT: return "Create_file";
	case BL_APPEND_BLOCK_EVENT: return "Append_block";
	case BL_EXEC_LOAD_EVENT: return "Exec_load";
	case BL_DELETE_FILE_EVENT: return "Delete_file";
	case BL_NEW_LOAD_EVENT: return "New_load";
	case BL_RAND_EVENT: return "RAND";
	case BL_USER_VAR_EVENT: return "User var";
	case BL_FORMAT_DESCRIPTION_EVENT: return "Format_desc";
	case BL_XID_EVENT: return "Xid";
	case BL_BEGIN_LOAD_QUERY_EVENT: return "Begin_load_query";
	case BL_EXECUTE_LOAD_QUERY_EVENT: return "Execute_load_query";
	case BL_TABLE_MAP_EVENT: return "Table_map";
	case BL_PRE_GA_WRITE_ROWS_EVENT: return "Write_rows_v0";
	case BL_PRE_GA_UPDATE_ROWS_EVENT: return "Update_rows_v0";
	case BL_PRE_GA_DELETE_ROWS_EVENT: return "Delete_rows_v0";
	case BL_WRITE_ROWS_EVENT_V1: return "Write_rows_v1";
	case BL_UPDATE_ROWS_EVENT_V1: return "Update_rows_v1";
	case BL_DELETE_ROWS_EVENT_V1: return "Delete_rows_v1";
	case BL_INCIDENT_EVENT: return "Incident";
	case BL_HEARTBEAT_LOG_EVENT: return "Heartbeat";
	case BL_IGNORABLE_LOG_EVENT: return "Ignorable";
	case BL_ROWS_QUERY_LOG_EVENT: return "Rows_query";
	case BL_WRITE_ROWS_EVENT: return "Write_rows";
	case BL_UPDATE_ROWS_EVENT: return "Update_rows";
	case BL_DELETE_ROWS_EVENT: return "Delete_rows";
	case BL_GTID_LOG_EVENT: return "Gtid";
	case BL_ANONYMOUS_GTID_LOG_EVENT: return "Anonymous_Gtid";
	case BL_PREVIOUS_GTIDS_LOG_EVENT: return "Previous_gtids";
	case BL_TRANSACTION_CONTEXT_EVENT: return "Transaction_context";
	case BL_VIEW_CHANGE_EVENT: return "View_change";
	case BL_XA_PREPARE_LOG_EVENT: return "XA_prepare";
	case BL_PARTIAL_UPDATE_ROWS_EVENT: return "Update_rows_partial";
	case BL_TRANSACTION_PAYLOAD_EVENT: return "Transaction_payload";
	case BL_HEARTBEAT_LOG_EVENT_V2: return "Heartbeat_v2";
	case BL_GTID_TAGGED_LOG_EVENT: return "Gtid_tagged";
	case BL_MARIA_ANNOTATE_ROWS_EVENT: return "Annotate_rows";
	case BL_MARIA_BINLOG_CHECKPOINT_EVENT: return "Binlog_checkpoint";
	case BL_MARIA_GTID_EVENT: return "Gtid";
	case BL_MARIA_GTID_LIST_EVENT: return "Gtid_list";
	case BL_MARIA_START_ENCRYPTION_EVENT: return "Start_encryption";
	case BL_MARIA_QUERY_COMPRESSED_EVENT: return "Query_compressed";
	case BL_MARIA_WRITE_ROWS_COMPRESSED_EVENT_V1: return "Write_rows_compressed_v1";
	case BL_MARIA_UPDATE_ROWS_COMPRESSED_EVENT_V1: return "Update_rows_compressed_v1";
	case BL_MARIA_DELETE_ROWS_COMPRESSED_EVENT_V1: return "Delete_rows_compressed_v1";
	case BL_MARIA_WRITE_ROWS_COMPRESSED_EVENT: return "Write_rows_compressed";
	case BL_MARIA_UPDATE_ROWS_COMPRESSED_EVENT: return "Update_rows_compressed";
	case BL_MARIA_DELETE_ROWS_COMPRESSED_EVENT: return "Delete_rows_compressed";
	default: return "Unknown";
	}
}

const char *bl_col_type_name(unsigned type)
{
	switch (type) {
	case BL_TYPE_DECIMAL: return "DECIMAL";
	case BL_TYPE_TINY: return "TINY";
	case BL_TYPE_SHORT: return "SHORT";
	case BL_TYPE_LONG: return "LONG";
	case BL_TYPE_FLOAT: return "FLOAT";
	case BL_TYPE_DOUBLE: return "DOUBLE";
	case BL_TYPE_NULL: return "NULL";
	case BL_TYPE_TIMESTAMP: return "TIMESTAMP";
	case BL_TYPE_LONGLONG: return "LONGLONG";
	case BL_TYPE_INT24: return "INT24";
	case BL_TYPE_DATE: return "DATE";
	case BL_TYPE_TIME: return "TIME";
	case BL_TYPE_DATETIME: return "DATETIME";
	case BL_TYPE_YEAR: return "YEAR";
	case BL_TYPE_NEWDATE: return "NEWDATE";
	case BL_TYPE_VARCHAR: return "VARCHAR";
	case BL_TYPE_BIT: return "BIT";
	case BL_TYPE_TIMESTAMP2: return "TIMESTAMP2";
	case BL_TYPE_DATETIME2: return "DATETIME2";
	case BL_TYPE_TIME2: return "TIME2";
	case BL_TYPE_TYPED_ARRAY: return "TYPED_ARRAY";
	case BL_TYPE_VECTOR: return "VECTOR";
	case BL_TYPE_JSON: return "JSON";
	case BL_TYPE_NEWDECIMAL: return "NEWDECIMAL";
	case BL_TYPE_ENUM: return "ENUM";
	case BL_TYPE_SET: return "SET";
	case BL_TYPE_TINY_BLOB: return "TINY_BLOB";
	case BL_TYPE_MEDIUM_BLOB: return "MEDIUM_BLOB";
	case BL_TYPE_LONG_BLOB: return "LONG_BLOB";
	case BL_TYPE_BLOB: return "BLOB";
	case BL_TYPE_VAR_STRING: return "VAR_STRING";
	case BL_TYPE_STRING: return "STRING";
	case BL_TYPE_GEOMETRY: return "GEOMETRY";
	default: return "UNKNOWN";
	}
}

bool bl_event_is_rows(unsigned t)
{
	return (t >= BL_PRE_GA_WRITE_ROWS_EVENT && t <= BL_DELETE_ROWS_EVENT_V1) ||
	       (t >= BL_WRITE_ROWS_EVENT && t <= BL_DELETE_ROWS_EVENT) ||
	       t == BL_PARTIAL_UPDATE_ROWS_EVENT ||
	       (t >= BL_MARIA_WRITE_ROWS_COMPRESSED_EVENT_V1 &&
		t <= BL_MARIA_DELETE_ROWS_COMPRESSED_EVENT);
}
