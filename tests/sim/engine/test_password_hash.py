"""IOS type 8/9 secrets, checked against hashcat's published example hashes (password
"hashcat"; modes 9200 and 9300), not against values this code produced."""

from __future__ import annotations

from flexlab.sim.engine.password_hash import CISCO_ALPHABET, hash_secret, verify_secret
from flexlab.sim.shell import apply_config_text

HASHCAT_TYPE9 = "$9$2MJBozw/9R3UsU$2lFhcKvpghcyw8deP25GOfyZaagyUOGBymkryvOdfo6"
HASHCAT_TYPE8 = "$8$TnGX/fE4KGHOVU$pEhnEvxrvaynpi8j4f.EMHr6M.FzU8xnZnBr/tJdFWk"


def test_type9_and_type8_match_the_published_examples():
    assert hash_secret("hashcat", 9, salt="2MJBozw/9R3UsU") == HASHCAT_TYPE9
    assert hash_secret("hashcat", 8, salt="TnGX/fE4KGHOVU") == HASHCAT_TYPE8
    assert verify_secret(9, HASHCAT_TYPE9, "hashcat") and verify_secret(8, HASHCAT_TYPE8, "hashcat")
    assert not verify_secret(9, HASHCAT_TYPE9, "hashcaT")
    assert not verify_secret(8, HASHCAT_TYPE9, "hashcat")   # a type 9 string is no type 8 secret


def test_the_lab_salt_uses_the_ios_alphabet():
    salt = hash_secret("pw").split("$")[2]
    assert len(salt) == 14 and set(salt) <= set(CISCO_ALPHABET)


def test_a_router_shows_the_hash_and_still_checks_the_password(make_lab):
    lab = make_lab(settle=0.0, credentials=("netops", "s3cret"))
    node = lab.nodes["hub2"]
    errors = apply_config_text(node, "username ops privilege 15 secret 0 Op-Pass1\nenable secret 0 En-Pass2\nend\n")
    assert errors == []
    text = node.config.render()
    assert "Op-Pass1" not in text and "En-Pass2" not in text
    assert "username ops privilege 15 secret 9 $9$" in text and "enable secret 9 $9$" in text
    assert node.check_login("ops", "Op-Pass1") and not node.check_login("ops", "op-pass1")
    assert node.check_enable("En-Pass2") and not node.check_enable("wrong")
    # a hash typed in from another router: its password logs in
    assert apply_config_text(node, f"username hc privilege 15 secret 9 {HASHCAT_TYPE9}\nend\n") == []
    assert node.check_login("hc", "hashcat")
