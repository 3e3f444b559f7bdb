from django.core.management.base import BaseCommand

from parties.demo import DEMO_HIS_TOKEN, DEMO_PASSWORD, demo_accounts


class Command(BaseCommand):
    help = "Print the URL and one demo login per role."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url, **options):
        w = self.stdout.write
        w("")
        w(f"平台已启动 / Platform running at: {url}")
        w(f"API 文档 / API docs:            {url}api/docs/")
        w(f"健康检查 / Health:               {url}healthz")
        w("")
        w(f"演示账号（密码均为 {DEMO_PASSWORD}）/ Demo logins (password {DEMO_PASSWORD}):")
        for a in demo_accounts():
            w(f"  {a.role:<12}\t{a.username:<16}\t{a.organisation}")
        w(f"  HIS 接口令牌 / HIS token:  {DEMO_HIS_TOKEN}")
        w("")
        w("停止 / Stop: make stop")
