# This file is part of the MLM suite. See LICENSE for details.
"The demo admin logs in to the sao web client and finds the MLM menu."
from mlm_demo.users import ADMIN_PASSWORD

from .conftest import DATABASE


def login(page, url, login, password):
    page.goto(f'{url}#{DATABASE}')
    page.locator('#login').fill(login)
    page.locator('.login-dialog button[type=submit]').click()
    password_input = page.locator('input[type=password]')
    password_input.fill(password)
    password_input.press('Enter')


def test_admin_sees_mlm_menu(demo_server, page, screenshots):
    login(page, demo_server, 'admin', ADMIN_PASSWORD)
    menu = page.locator('#menu')
    menu.get_by_text('MLM', exact=True).wait_for(timeout=30_000)
    menu.get_by_text('MLM', exact=True).click()
    configuration = menu.get_by_text('Einstellungen', exact=True)
    configuration.first.wait_for(timeout=10_000)
    page.screenshot(path=screenshots / 'backend-mlm-menu.png')
    assert menu.get_by_text('MLM', exact=True).count() == 1
