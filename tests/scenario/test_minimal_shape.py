"""The minimal scenario shape of issue 2, exactly as written there, keeps loading as the format grows."""

from __future__ import annotations

import pytest
import yaml

from mockserver.domain.world import World
from mockserver.scenario import ScenarioError, load_scenario

APP = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
MINIMAL = f"""
account: {{api_keys: [my-key]}}
bots: [{{app_uuid: "{APP}", token: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", username: shop_bot}}]
contacts:
  - {{id: 1001, email: a@example.com, phone: "+380501112233", externalCustomerId: C-1,
     tokens: {{shop_bot: ["111"]}}}}      # keyed by bot username or app_uuid
  - {{id: 1002, tokens: {{"{APP.upper()}": ["222"]}}}}
  - {{id: 1003, tokens: {{"@Shop_Bot": ["333", "333"]}}}}
telegram: {{chats: {{"111": blocked}}}}   # chat states; used by the delivery issue
"""


def test_the_issue_2_shape_loads_as_written(tmp_path):
    path = tmp_path / "minimal.yaml"
    path.write_text(MINIMAL)
    world = World(load_scenario(path))
    assert world.accepts_key("my-key") and not world.accepts_key("other")
    assert [(a.app_uuid, a.username) for a in world.apps] == [(APP, "shop_bot")]
    taras, second, third = (world.contacts.get(i) for i in (1001, 1002, 1003))
    assert (taras.emails, taras.phones, taras.external_customer_id) == (["a@example.com"], ["+380501112233"], "C-1")
    assert [c.tokens for c in (taras, second, third)] == [{APP: ["111"]}, {APP: ["222"]}, {APP: ["333"]}]
    assert world.contacts.subscribers(APP) == 3
    assert world.telegram.chats["111"].state == "blocked"


@pytest.mark.parametrize("other", ["shop_bot", "@SHOP_BOT", APP.upper(), "{" + APP + "}"])
def test_a_bot_named_twice_in_one_contact_is_refused_not_half_dropped(tmp_path, other):
    document = yaml.safe_load(MINIMAL)
    document["contacts"][1]["tokens"] = {APP: ["1"], other: ["2"]}
    path = tmp_path / "twice.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    with pytest.raises(ScenarioError, match=f"contacts\\[1\\]\\.tokens.*is named twice: also as '{APP}'"):
        load_scenario(path)
