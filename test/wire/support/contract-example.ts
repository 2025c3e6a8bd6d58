// The example Session of the documented API (api-contract/fetch-sessions.txt, `data[0]`), copied as data: the
// reference for the camel-2.1.1 key set and key order. Its values are the page's placeholders.
export const CONTRACT_SESSION_EXAMPLE: unknown = {
  id: 'string',
  startDatetime: '2025-09-04T07:11:29.508Z',
  endDatetime: '2025-09-04T07:11:29.508Z',
  kwh: 0,
  authId: 'string',
  authMethod: 0,
  location: {
    id: 'string',
    type: 0,
    name: 'string',
    address: 'string',
    city: 'string',
    postalCode: 'string',
    country: 'string',
    coordinates: {
      latitude: 'string',
      longitude: 'string',
    },
    relatedLocations: [
      {
        latitude: 'string',
        longitude: 'string',
        name: {
          language: 'string',
          text: 'string',
        },
      },
    ],
    evses: [
      {
        uid: 'string',
        evseId: 'string',
        status: 0,
        statusSchedule: [
          {
            period_begin: '2025-09-04T07:11:29.508Z',
            period_end: '2025-09-04T07:11:29.508Z',
            status: 0,
          },
        ],
        capabilities: [0],
        connectors: [
          {
            id: 'string',
            standard: 0,
            format: 0,
            powerType: 0,
            voltage: 0,
            amperage: 0,
            tariffId: 'string',
            termsAndConditions: 'string',
            lastUpdated: '2025-09-04T07:11:29.508Z',
          },
        ],
        floorLevel: 'string',
        coordinates: {
          latitude: 'string',
          longitude: 'string',
        },
        physicalReference: 'string',
        directions: [
          {
            language: 'string',
            text: 'string',
          },
        ],
        parkingRestrictions: [0],
        images: [
          {
            url: 'string',
            thumbnail: 'string',
            category: 0,
            type: 'string',
            width: 0,
            height: 0,
          },
        ],
        lastUpdated: '2025-09-04T07:11:29.508Z',
      },
    ],
    directions: [
      {
        language: 'string',
        text: 'string',
      },
    ],
    operator: {
      name: 'string',
      website: 'string',
      logo: {
        url: 'string',
        thumbnail: 'string',
        category: 0,
        type: 'string',
        width: 0,
        height: 0,
      },
    },
    suboperator: {
      name: 'string',
      website: 'string',
      logo: {
        url: 'string',
        thumbnail: 'string',
        category: 0,
        type: 'string',
        width: 0,
        height: 0,
      },
    },
    owner: {
      name: 'string',
      website: 'string',
      logo: {
        url: 'string',
        thumbnail: 'string',
        category: 0,
        type: 'string',
        width: 0,
        height: 0,
      },
    },
    facilities: [0],
    timeZone: 'string',
    openingTimes: {
      twentyfourseven: true,
      regularHours: [
        {
          weekday: 0,
          periodBegin: 'string',
          periodEnd: 'string',
        },
      ],
      exceptionalOpenings: [
        {
          periodBegin: '2025-09-04T07:11:29.508Z',
          periodEnd: '2025-09-04T07:11:29.508Z',
        },
      ],
      exceptionalClosings: [
        {
          periodBegin: '2025-09-04T07:11:29.508Z',
          periodEnd: '2025-09-04T07:11:29.508Z',
        },
      ],
    },
    chargingWhenClosed: true,
    images: [
      {
        url: 'string',
        thumbnail: 'string',
        category: 0,
        type: 'string',
        width: 0,
        height: 0,
      },
    ],
    energyMix: {
      isGreenEnergy: true,
      energySources: [
        {
          source: 0,
          percentage: 0,
        },
      ],
      environImpact: [
        {
          source: 0,
          amount: 0,
        },
      ],
      supplierName: 'string',
      energyProductName: 'string',
    },
    lastUpdated: '2025-09-04T07:11:29.508Z',
  },
  meterId: 'string',
  currency: 'string',
  chargingPeriods: [
    {
      startDateTime: '2025-09-04T07:11:29.508Z',
      dimensions: [
        {
          type: 0,
          volume: 0,
        },
      ],
      tariffId: 'string',
    },
  ],
  totalCost: 0,
  status: 0,
  lastUpdated: '2025-09-04T07:11:29.508Z',
};
