use libsqlite3_sys::*;
use std::ffi::CString;
fn main() {
    unsafe {
        let mut db = std::ptr::null_mut();
        let name = CString::new(":memory:").unwrap();
        assert_eq!(sqlite3_open(name.as_ptr(), &mut db), SQLITE_OK);
        let ddl = CString::new("create table session(key text primary key, state text, expires_at integer); create index i on session(expires_at); insert into session values ('a','{}',99999999999999);").unwrap();
        assert_eq!(sqlite3_exec(db, ddl.as_ptr(), None, std::ptr::null_mut(), std::ptr::null_mut()), SQLITE_OK);
        println!("sqlite {}", std::ffi::CStr::from_ptr(sqlite3_libversion()).to_str().unwrap());
        for sql in ["select * from session where key = ?1 and expires_at > ?2 limit ?3",
                    "select * from session where key = ?1 and expires_at > ?2 limit 1"] {
            let c = CString::new(sql).unwrap();
            let mut st = std::ptr::null_mut();
            assert_eq!(sqlite3_prepare_v3(db, c.as_ptr(), -1, SQLITE_PREPARE_PERSISTENT as u32, &mut st, std::ptr::null_mut()), SQLITE_OK);
            let params = sqlite3_bind_parameter_count(st);
            for i in 0..100 {
                let key = CString::new("a").unwrap();
                sqlite3_bind_text(st, 1, key.as_ptr(), -1, SQLITE_TRANSIENT());
                sqlite3_bind_int64(st, 2, 1000 + i);
                if params == 3 { sqlite3_bind_int64(st, 3, 1); }
                while sqlite3_step(st) == SQLITE_ROW {}
                sqlite3_reset(st);
            }
            println!("{:>4} re-prepares in 100 executions: {sql}", sqlite3_stmt_status(st, SQLITE_STMTSTATUS_REPREPARE, 0));
            sqlite3_finalize(st);
        }
    }
}
