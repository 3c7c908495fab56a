"""Writes ../fixture.json: the simulator's default tenant plus the Shared Calling
sites the target's tasks describe. Run from anywhere:
    /usr/bin/python3 tests/integration/targets/teams_shared_calling_info/files/make_fixture.py
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..', '..', '..', '..', '..')
d = json.load(open(os.path.join(ROOT, 'tests', 'tenantsim', 'fixtures', 'default.json')))
d.pop('callHistory', None); d.pop('_expected', None)
uid = {u['userPrincipalName'].split('@')[0]: u['id'] for u in d['users']}
RA1, RA2, RA3, RA9 = ('a1b2c3d4-0000-4000-8000-0000000000a1', 'a1b2c3d4-0000-4000-8000-0000000000a2',
                      'a1b2c3d4-0000-4000-8000-0000000000a3', 'a1b2c3d4-0000-4000-8000-0000000000a9')
AA = 'c0ffee00-0000-4000-8000-0000000000aa'
GROUP = '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9'
HQ = '3c1e5a7b-9d2f-4b6a-8c0e-2f4a6b8c0d1e'
FLOOR1 = 'b7c8d9e0-1f2a-4b3c-8d4e-5f6a7b8c9d0e'
for u in d['users']:
    if u['userPrincipalName'].split('@')[0] in ('bianca', 'diego', 'grady', 'isaiah', 'adele'):
        u['isEnterpriseVoiceEnabled'] = True
d['users'] += [
    {'id': RA1, 'userPrincipalName': 'sc-redmond@contoso.com', 'displayName': 'Redmond main line',
     'usageLocation': 'US', 'assignedLicenses': ['PHONESYSTEM_VIRTUALUSER'], 'accountType': 'resourceAccount',
     'applicationId': 'ce933385-9390-45d1-9512-c8d228074e07'},
    {'id': RA2, 'userPrincipalName': 'sc-kirkland@contoso.com', 'displayName': 'Kirkland main line',
     'usageLocation': 'US', 'assignedLicenses': ['PHONESYSTEM_VIRTUALUSER'], 'accountType': 'resourceAccount',
     'applicationId': 'ce933385-9390-45d1-9512-c8d228074e07'},
    {'id': RA3, 'userPrincipalName': 'sc-bellevue@contoso.com', 'displayName': 'Bellevue main line',
     'usageLocation': 'US', 'assignedLicenses': [], 'accountType': 'resourceAccount',
     'applicationId': 'ce933385-9390-45d1-9512-c8d228074e07'},
]
d['locations'] = [{'id': FLOOR1, 'civicAddressId': HQ, 'location': 'Floor 1', 'elin': None}]
for n in d['numbers']:
    if n['telephoneNumber'] == '+14255550100':
        n['assignedTo'] = RA1; n['locationId'] = FLOOR1
    if n['telephoneNumber'] == '+14255550103':
        n['assignedTo'] = RA2
d['policies'] = {
    'OnlinePstnUsages': [{'Identity': 'Global', 'Usage': ['National', 'International']}],
    'OnlineVoiceRoutingPolicy': [
        {'Identity': 'Global', 'Description': '', 'OnlinePstnUsages': []},
        {'Identity': 'Tag:SC-NoPstn', 'Description': 'Shared Calling users', 'OnlinePstnUsages': []},
        {'Identity': 'Tag:RA-Pstn', 'Description': 'Resource accounts: outbound PSTN', 'OnlinePstnUsages': ['National']},
        {'Identity': 'Tag:Personal-Pstn', 'Description': 'Users with their own number', 'OnlinePstnUsages': ['National', 'International']},
    ],
    'TeamsEmergencyCallRoutingPolicy': [
        {'Identity': 'Tag:SC-ECRP', 'Description': 'Shared Calling emergency routing',
         'AllowEnhancedEmergencyServices': True,
         'EmergencyNumbers': [{'EmergencyDialString': '911', 'EmergencyDialMask': '9911', 'OnlinePSTNUsage': 'National'}]},
    ],
    'TeamsSharedCallingRoutingPolicy': [
        {'Identity': 'Tag:SC-Redmond', 'Description': 'Redmond main line', 'ResourceAccount': RA1,
         'EmergencyNumbers': ['+14255550102']},
        {'Identity': 'Tag:SC-Kirkland', 'Description': 'Kirkland main line', 'ResourceAccount': RA2, 'EmergencyNumbers': []},
        {'Identity': 'Tag:SC-Bellevue', 'Description': 'Bellevue main line', 'ResourceAccount': RA3, 'EmergencyNumbers': []},
        {'Identity': 'Tag:SC-Gone', 'Description': 'Resource account deleted', 'ResourceAccount': RA9, 'EmergencyNumbers': []},
    ],
}
direct = [{'objectId': RA1, 'policyType': 'OnlineVoiceRoutingPolicy', 'policyName': 'RA-Pstn'}]
for who in ('adele', 'bianca', 'diego', 'grady'):
    direct += [{'objectId': who + '@contoso.com', 'policyType': 'TeamsSharedCallingRoutingPolicy', 'policyName': 'SC-Redmond'},
               {'objectId': who + '@contoso.com', 'policyType': 'OnlineVoiceRoutingPolicy', 'policyName': 'SC-NoPstn'},
               {'objectId': who + '@contoso.com', 'policyType': 'TeamsEmergencyCallRoutingPolicy', 'policyName': 'SC-ECRP'}]
direct += [{'objectId': 'pradeep@contoso.com', 'policyType': 'TeamsSharedCallingRoutingPolicy', 'policyName': 'SC-Redmond'},
           {'objectId': 'isaiah@contoso.com', 'policyType': 'OnlineVoiceRoutingPolicy', 'policyName': 'Personal-Pstn'}]
d['grants'] = {'direct': direct, 'group': [
    {'groupId': GROUP, 'policyType': 'TeamsSharedCallingRoutingPolicy', 'policyName': 'SC-Redmond', 'rank': 1},
    {'groupId': GROUP, 'policyType': 'OnlineVoiceRoutingPolicy', 'policyName': 'SC-NoPstn', 'rank': 1}]}
def tts(t): return [{'activeType': 'TextToSpeech', 'textToSpeechPrompt': t}]
def auto_flow(fid, name, greeting, option):
    return {'id': fid, 'name': name, 'greetings': tts(greeting),
            'menu': {'name': name, 'prompts': [], 'dialByNameEnabled': False, 'directorySearchMethod': 'None',
                     'menuOptions': [dict(option, dtmfResponse='Automatic')]}}
F0, F1, F2 = 'c0ffee00-0000-4000-8000-0000000000f0', 'c0ffee00-0000-4000-8000-0000000000f1', 'c0ffee00-0000-4000-8000-0000000000f2'
S1, S2 = 'c0ffee00-0000-4000-8000-0000000000e1', 'c0ffee00-0000-4000-8000-0000000000e2'
week = {k + 'Hours': ([{'start': '08:00:00', 'end': '17:00:00'}] if k not in ('saturday', 'sunday') else [])
        for k in ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday')}
week['saturdayHours'] = [{'start': '09:00:00', 'end': '12:30:00'}]
week['isComplemented'] = True
d['autoAttendants'] = [{
    'id': AA, 'name': 'Redmond main line', 'languageId': 'en-US', 'voiceId': 'Female',
    'timeZoneId': 'Pacific Standard Time', 'voiceResponseEnabled': False,
    'defaultCallFlow': {'id': F0, 'name': 'Default', 'greetings': tts('Welcome to Contoso Redmond.'),
                        'menu': {'name': 'Main', 'dialByNameEnabled': True, 'directorySearchMethod': 'ByName',
                                 'prompts': tts('Say or type a name, or press 0 for the operator.'),
                                 'menuOptions': [{'action': 'TransferCallToOperator', 'dtmfResponse': 'Tone0'},
                                                 {'action': 'TransferCallToTarget', 'dtmfResponse': 'Tone1',
                                                  'callTarget': {'id': uid['megan'], 'type': 'User'}}]}},
    'operator': {'id': uid['megan'], 'type': 'User'},
    'callFlows': [auto_flow(F1, 'After hours call flow', 'We are closed. Please call again during business hours.',
                            {'action': 'DisconnectCall'}),
                  auto_flow(F2, 'New Year', 'Happy new year. We are closed today.', {'action': 'TransferCallToOperator'})],
    'schedules': [{'id': S1, 'name': 'After hours', 'type': 'WeeklyRecurrence', 'weeklyRecurrentSchedule': week},
                  {'id': S2, 'name': 'New Year', 'type': 'Fixed',
                   'fixedSchedule': {'dateTimeRanges': [{'start': '2026-01-01T00:00:00', 'end': '2026-01-02T00:00:00'}]}}],
    'callHandlingAssociations': [
        {'type': 'Holiday', 'scheduleId': S2, 'callFlowId': F2, 'enabled': True, 'priority': 1},
        {'type': 'AfterHours', 'scheduleId': S1, 'callFlowId': F1, 'enabled': True, 'priority': 2}],
    'dialByNameResourceId': None,
    'directoryLookupScope': {'inclusionScope': {'type': 'Customized', 'groupDialScope': {'groupIds': [GROUP]}}},
    'applicationInstances': [RA1]}]
d['associations'] = [{'id': RA1, 'configurationType': 'AutoAttendant', 'configurationId': AA, 'callPriority': 3}]
with open(os.path.join(HERE, '..', 'fixture.json'), 'w') as f:
    json.dump(d, f, indent=1)
    f.write('\n')
