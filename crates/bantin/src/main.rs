use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = bantin::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lỗi: không khởi động được runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(bantin::cli::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("lỗi: {e:#}");
            ExitCode::FAILURE
        }
    }
}
