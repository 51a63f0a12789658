import datetime as dt


def test_a_whole_iv_session_through_the_services(course):
    from ketacare.treatments import services

    session = course.book()
    session = course.check_in(session)
    course.time_point(session, "pre_dose")
    plan = services.plan_session_dose(actor=course.world.clinician, session=session)
    assert plan.allowed and float(plan.dose_mg) == 35.0
    session = services.start_administration(actor=course.world.clinician, session=session)
    course.clock.shift(dt.timedelta(minutes=40))
    session = services.end_administration(
        actor=course.world.clinician, session=session, dose_mg=plan.dose_mg, lot_number="L1"
    )
    course.time_point(session, "post_dose")
    course.clock.shift(dt.timedelta(minutes=61))
    course.time_point(session, "pre_discharge")
    session = services.discharge(
        actor=course.world.clinician, session=session, steady_on_feet=True, escort_present=True
    )
    assert session.status == "completed"


def test_pages_render_in_every_phase(course, client_for):
    from django.urls import reverse

    from ketacare.treatments import services

    client = client_for(course.world.clinician)
    session = course.book()
    url = reverse("treatments:session", args=[session.pk])
    for step in range(6):
        response = client.get(url)
        assert response.status_code == 200, response.content[:2000]
        assert client.get(reverse("treatments:board")).status_code == 200
        assert (
            client.get(reverse("treatments:session_status", args=[session.pk])).status_code == 200
        )
        assert client.get(reverse("treatments:record_pdf", args=[session.pk])).status_code == 200
        if step == 0:
            session = course.check_in(session)
        elif step == 1:
            course.time_point(session, "pre_dose")
            services.plan_session_dose(actor=course.world.clinician, session=session)
        elif step == 2:
            session = services.start_administration(actor=course.world.clinician, session=session)
            course.clock.shift(dt.timedelta(minutes=40))
        elif step == 3:
            session = services.end_administration(
                actor=course.world.clinician, session=session, dose_mg="35", lot_number="L1"
            )
            course.time_point(session, "post_dose", systolic=190)
        elif step == 4:
            course.clock.shift(dt.timedelta(minutes=61))
            course.time_point(session, "pre_discharge")
            session = services.discharge(
                actor=course.world.clinician,
                session=session,
                steady_on_feet=True,
                escort_present=True,
            )
    assert client.get(reverse("treatments:calendar") + "?view=week").status_code == 200
    assert client.get(reverse("web:home")).status_code == 200
    client = client_for(course.world.prescriber)
    assert client.get(url).status_code == 200
    assert client.get(reverse("web:home")).status_code == 200
    client = client_for(course.world.patient_user)
    assert client.get(reverse("treatments:mine")).status_code == 200
    assert client.get(reverse("web:home")).status_code == 200
